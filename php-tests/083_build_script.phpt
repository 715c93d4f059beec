--TEST--
build: build.rs stops with a clear message when php-config is missing or PHP is too old, and records the PHP API version and the source revision ("unknown" outside git)
--SKIPIF--
<?php
exec('command -v rustc', $out, $rc);
if ($rc !== 0) {
    echo 'skip rustc not found';
}
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

// build.rs compiled on its own and run as cargo runs it (cwd: the package root).
$root = dirname(__DIR__);
$tmp = sys_get_temp_dir() . '/swoole-rs-083-' . getmypid();
@mkdir($tmp);
register_shutdown_function(fn() => exec('rm -rf ' . escapeshellarg($tmp)));
exec('rustc --edition 2021 -o ' . escapeshellarg("$tmp/build-script") . ' ' . escapeshellarg("$root/build.rs") . ' 2>&1', $out, $rc);
echo "compiled: ", $rc === 0 ? 'yes' : implode("\n", $out), "\n";

function run_build_script(string $bin, string $cwd, array $env): array
{
    $p = proc_open([$bin], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $cwd, $env + child_env());
    $stdout = stream_get_contents($pipes[1]);
    $stderr = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    return [proc_close($p), $stdout, $stderr];
}

// No php-config.
[$rc, , $err] = run_build_script("$tmp/build-script", $root, ['PHP_CONFIG' => "$tmp/no-such-php-config"]);
echo "missing: exit $rc\n", str_replace($tmp, 'TMP', $err);

// A PHP older than supported.
file_put_contents("$tmp/old-php-config", "#!/bin/sh\ncase \"\$1\" in --vernum) echo 80109;; --version) echo 8.1.9;; --phpapi) echo 20210902;; esac\n");
chmod("$tmp/old-php-config", 0755);
[$rc, , $err] = run_build_script("$tmp/build-script", $root, ['PHP_CONFIG' => "$tmp/old-php-config"]);
echo "old: exit $rc\n", str_replace($tmp, 'TMP', $err);

// The real one, in the source tree and outside any git tree.
$real = trim((string)shell_exec('command -v php-config'));
$api = trim((string)shell_exec('php-config --phpapi'));
foreach (['source tree' => $root, 'outside git' => $tmp] as $where => $cwd) {
    [$rc, $outText] = run_build_script("$tmp/build-script", $cwd, ['PHP_CONFIG' => $real]);
    preg_match_all('/^cargo:rustc-env=(\w+)=(.*)$/m', $outText, $m);
    $envs = array_combine($m[1], $m[2]);
    echo "$where: exit $rc, api ", ($envs['SWOOLE_RS_PHP_API'] ?? '') === $api ? 'matches php-config' : 'wrong', ', revision ';
    $git = trim((string)shell_exec('git -C ' . escapeshellarg($cwd) . ' describe --always --tags 2>/dev/null'));
    $rev = $envs['SWOOLE_RS_REVISION'] ?? '';
    echo $git === '' ? $rev : (str_starts_with($rev, $git) ? 'git describe' : "wrong: $rev"), "\n";
}
?>
--EXPECT--
compiled: yes
missing: exit 1
error: cannot run `TMP/no-such-php-config` (No such file or directory (os error 2)). swoole-rs is built against PHP's headers: install PHP 8.2+ with its development package (Debian: php8.2-dev), or set PHP_CONFIG to the path of php-config.
old: exit 1
error: PHP 8.1.9 found (via TMP/old-php-config); swoole-rs needs PHP 8.2 or newer. Install a newer PHP with its development headers, or point PHP_CONFIG at its php-config.
source tree: exit 0, api matches php-config, revision git describe
outside git: exit 0, api matches php-config, revision unknown
