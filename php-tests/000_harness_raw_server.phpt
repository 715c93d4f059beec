--TEST--
harness: ServerProcess runs a plain PHP TCP server, waits for its port, stops it with SIGTERM
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
var_dump($port > 0 && $port < 65536);

$srv = ServerProcess::start(__DIR__ . '/servers/000_echo_plain.php', [$port]);
$srv->waitForPort($port);
$srv->waitForOutput("listening on $port");
var_dump($srv->isRunning());

$c = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
stream_set_timeout($c, 5);
fwrite($c, "hello harness\n");
echo 'reply: ', fgets($c);
fclose($c);
$srv->waitForOutput('echoed hello harness');

$pid = $srv->pid();
$code = $srv->stop(SIGTERM, 5.0);
// With pcntl the server catches SIGTERM and exits 0; without it, SIGTERM ends it (128+15).
var_dump($code === (function_exists('pcntl_signal') ? 0 : 143));
var_dump($srv->isRunning(), file_exists("/proc/$pid"));

// A server that dies early (its port is taken) makes waitForPort throw, with its stderr.
$hold = stream_socket_server('tcp://127.0.0.1:0');
$taken = (int)substr(strrchr(stream_socket_get_name($hold, false), ':'), 1);
$bad = ServerProcess::start(__DIR__ . '/servers/000_echo_plain.php', [$taken]);
try {
    $bad->waitForPort(free_port(), 5.0);
    echo "no exception\n";
} catch (RuntimeException $e) {
    echo strpos($e->getMessage(), 'exited before listening') !== false ? "early exit reported\n" : $e->getMessage();
    echo strpos($e->getMessage(), 'listen:') !== false ? "stderr included\n" : $e->getMessage();
}
var_dump($bad->exitCode());

// Whatever is still running when the test ends is killed by the shutdown hook.
$left = ServerProcess::start(__DIR__ . '/servers/000_echo_plain.php', [free_port()]);
file_put_contents(sys_get_temp_dir() . '/swrs-000-pid', (string)$left->pid());
echo "done\n";
?>
--CLEAN--
<?php
$f = sys_get_temp_dir() . '/swrs-000-pid';
$pid = (int)@file_get_contents($f);
@unlink($f);
// The shutdown hook reaps it, so /proc has no entry left (not even a zombie).
if ($pid > 0 && file_exists("/proc/$pid")) {
    echo "server $pid outlived the test\n";
}
?>
--EXPECT--
bool(true)
bool(true)
reply: hello harness
bool(true)
bool(false)
bool(false)
early exit reported
stderr included
int(2)
done
