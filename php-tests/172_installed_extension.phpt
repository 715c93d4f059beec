--TEST--
installed from an ini file: a plain `php` (no -d extension=) loads swoole_rs through a conf.d ini and extension_dir, runs a WebSocket echo server a client talks to, and no longer has the extension once the ini and .so are removed
--DESCRIPTION--
By default the install goes into a private copy: an ini with `extension=swoole_rs` in a temp
dir named by PHP_INI_SCAN_DIR, the .so in a temp dir given as `-d extension_dir=`. That is
PHP's own loading path, and it leaves PHP's real conf.d alone: tests run in parallel, all
passing -d extension=..., and every php started while swoole_rs is also enabled in the
real conf.d would print "Module "swoole_rs" is already loaded" and fail.

SWOOLE_RS_TEST_INSTALL=1 (as root, run alone: not alongside other tests) goes through
scripts/install and `scripts/install --remove` instead, with PHP's real conf.d:
    SWOOLE_RS_TEST_INSTALL=1 scripts/test php-tests/172_installed_extension.phpt
--SKIPIF--
<?php
if (!extension_loaded('swoole_rs')) {
    die('skip the swoole_rs extension is not loaded');
}
if (getenv('SWOOLE_RS_TEST_INSTALL') === '1') {
    if (trim((string)shell_exec('id -u')) !== '0') {
        die('skip SWOOLE_RS_TEST_INSTALL=1 needs root: scripts/install writes to PHP\'s own directories');
    }
    if (trim((string)shell_exec('php -r \'echo extension_loaded("swoole_rs") ? "yes" : "no";\' 2>/dev/null')) !== 'no') {
        die('skip swoole_rs is installed already (scripts/install --remove first): this test would remove it');
    }
}
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$root = dirname(__DIR__);
$real = getenv('SWOOLE_RS_TEST_INSTALL') === '1';
$tmp = sys_get_temp_dir() . '/swrs-install-' . getmypid();
@mkdir("$tmp/ext", 0777, true);
@mkdir("$tmp/conf.d");
register_shutdown_function(static function () use ($tmp) {
    foreach (["$tmp/ext/swoole_rs.so", "$tmp/conf.d/20-swoole_rs.ini", "$tmp/echo.php"] as $f) {
        @unlink($f);
    }
    @rmdir("$tmp/ext");
    @rmdir("$tmp/conf.d");
    @rmdir($tmp);
});

/** Runs a command to its end: [exit code, stdout, stderr]. */
function run(array $cmd, array $env = [], float $timeout = 60): array
{
    $p = ServerProcess::startCommand($cmd, $env);
    $code = $p->wait($timeout);
    $out = [$code, $p->stdout(), $p->stderr()];
    $p->kill();
    return $out;
}

/** The .so this test runs with: from -d extension=..., SWOOLE_RS_SO, or the extension_dir. */
function loaded_so(): string
{
    foreach (php_command() as $arg) {
        if (preg_match('/^(?:-d)?extension=(.*swoole_rs.*)$/', $arg, $m) && is_file($m[1])) {
            return $m[1];
        }
    }
    return getenv('SWOOLE_RS_SO') ?: ini_get('extension_dir') . '/swoole_rs.so';
}

if ($real) {
    // A plain php as scripts/install configures it: PHP's own ini files.
    $php = ['php'];
    $env = ['PHP_INI_SCAN_DIR' => null];
    $install = static fn() => run(["$root/scripts/install"], [], 600);
    $remove = static fn() => run(["$root/scripts/install", '--remove']);
    // However the test ends, it leaves PHP as it found it.
    register_shutdown_function(static fn() => run(["$root/scripts/install", '--remove']));
} else {
    $so = loaded_so();
    $php = [PHP_BINARY, '-d', "extension_dir=$tmp/ext"];
    $env = ['PHP_INI_SCAN_DIR' => "$tmp/conf.d"];
    // What scripts/install does, into the private dirs.
    $install = static function () use ($so, $tmp): array {
        $ok = copy($so, "$tmp/ext/swoole_rs.so")
            && file_put_contents("$tmp/conf.d/20-swoole_rs.ini", "extension=swoole_rs\n") !== false;
        return [$ok ? 0 : 1, '', $ok ? '' : "cannot copy $so into $tmp"];
    };
    $remove = static function () use ($tmp): array {
        $ok = unlink("$tmp/conf.d/20-swoole_rs.ini") && unlink("$tmp/ext/swoole_rs.so");
        return [$ok ? 0 : 1, '', ''];
    };
}
$probe = array_merge($php, ['-r', 'var_dump(extension_loaded("swoole_rs"));']);

[$code, $out, $err] = run($probe, $env);
echo "before install: $out$err";

[$code, $out, $err] = $install();
echo "install: exit code $code\n", $code === 0 ? '' : $out . $err;

file_put_contents("$tmp/echo.php", <<<'PHP'
<?php
$cmdline = str_replace("\0", ' ', (string)file_get_contents('/proc/self/cmdline'));
echo 'extension_loaded: ', var_export(extension_loaded('swoole_rs'), true), "\n";
echo 'extension= on the command line: ', var_export((bool)preg_match('/(^|\s|-d)extension=/', $cmdline), true), "\n";
$inis = array_filter(array_map('trim', explode(',', (string)php_ini_scanned_files())),
    fn($f) => str_contains((string)@file_get_contents($f), 'swoole_rs'));
echo 'enabled by: ', implode(', ', array_map('basename', $inis)), "\n";
echo 'swoole_rs.so in extension_dir: ', var_export(is_file(ini_get('extension_dir') . '/swoole_rs.so'), true), "\n";

$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    $server->push($frame->fd, "echo: {$frame->data}");
});
$server->on('close', function ($server, int $fd) {
    echo "closed\n";
});
$server->start();
echo "stopped\n";
PHP);

$port = free_port();
$srv = ServerProcess::startCommand(array_merge($php, ["$tmp/echo.php", $port]), $env);
$srv->waitForListening($port);
$ws = RawWs::connect($port);
$ws->sendText('hello');
$f = $ws->recvFrame();
echo "client got: {$f['opcode']} {$f['payload']}\n";
var_dump($ws->close());
$srv->waitForOutput("closed\n");
echo "server exit code: ", $srv->stop(), "\n", $srv->stdout(), $srv->stderr();

[$code, $out, $err] = $remove();
echo "remove: exit code $code\n", $code === 0 ? '' : $out . $err;

[$code, $out, $err] = run($probe, $env);
echo "after remove: $out$err";
?>
--EXPECT--
before install: bool(false)
install: exit code 0
client got: 1 echo: hello
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
server exit code: 0
extension_loaded: true
extension= on the command line: false
enabled by: 20-swoole_rs.ini
swoole_rs.so in extension_dir: true
closed
stopped
remove: exit code 0
after remove: bool(false)
