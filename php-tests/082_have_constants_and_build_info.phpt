--TEST--
api: SWOOLE_HAVE_ZLIB / SWOOLE_HAVE_COMPRESSION (no SWOOLE_HAVE_BROTLI), and php --ri shows the PHP API and source revision recorded by build.rs
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

var_dump(SWOOLE_HAVE_ZLIB, SWOOLE_HAVE_COMPRESSION, defined('SWOOLE_HAVE_BROTLI'));
// The way applications test them before enabling compression.
$server = new Swoole\WebSocket\Server('127.0.0.1', 0);
$server->set(['websocket_compression' => defined('SWOOLE_HAVE_ZLIB') && SWOOLE_HAVE_ZLIB]);
var_dump($server->setting['websocket_compression']);

// php --ri swoole_rs, from a child php with the extension loaded.
$cmd = php_command();
$p = proc_open([...$cmd, '--ri', 'swoole_rs'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$ri = stream_get_contents($pipes[1]);
fclose($pipes[1]);
fclose($pipes[2]);
proc_close($p);
$rows = [];
foreach (explode("\n", $ri) as $line) {
    if (str_contains($line, ' => ')) {
        [$k, $v] = explode(' => ', $line, 2);
        $rows[trim($k)] = trim($v);
    }
}
// The PHP API this PHP has (phpinfo's "PHP API" row) is the one the build recorded.
ob_start();
phpinfo(INFO_GENERAL);
preg_match('/^PHP API => (\d+)$/m', ob_get_clean(), $m);
var_dump(($rows['PHP API (built against)'] ?? 'missing') === $m[1]);
var_dump(($rows['Built for PHP'] ?? 'missing') === PHP_VERSION);
// The revision: git describe of this tree, or "unknown" outside git.
$rev = $rows['Source revision'] ?? 'missing';
$dir = dirname(__DIR__);
$git = @shell_exec('git -C ' . escapeshellarg($dir) . ' describe --always --tags 2>/dev/null');
$git = $git === null || $git === false ? '' : trim($git);
var_dump($git === '' ? $rev === 'unknown' : str_starts_with($rev, $git));
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
