--TEST--
harness: py_client runs clients/ws_client.py from the project's virtualenv against a plain PHP WebSocket server
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/001_ws_echo_plain.php', [$port]);
$srv->waitForPort($port);

$r = py_client('ws_client.py', [
    '--url', "ws://127.0.0.1:$port/",
    '--send', 'hello', '--send-binary', '00ff10', '--binary-size', '100000', '--send', 'bye',
    '--expect-echo', '--compression', '--close', '4000', '--reason', 'done',
]);
echo $r['stdout'];
var_dump($r['code'], $r['timed_out']);
if ($r['code'] !== 0) {
    echo $r['stderr'];
}

// A client that outlives its timeout is killed and reported as such.
$sleeper = tempnam(sys_get_temp_dir(), 'swrs-sleep-');
file_put_contents($sleeper, "import time\nprint('started', flush=True)\ntime.sleep(30)\n");
$t = microtime(true);
$r = py_client($sleeper, [], 1.0);
unlink($sleeper);
var_dump($r['code'], $r['timed_out'], $r['stdout'], microtime(true) - $t < 5);
$srv->stop();
?>
--EXPECTF--
open: status=101 extensions=- subprotocol=-
recv: text hello
echo: ok
recv: binary 00ff10
echo: ok
recv: binary 100000 bytes sha1=%x
echo: ok
recv: text bye
echo: ok
closed: code=4000 reason=done
int(0)
bool(false)
int(124)
bool(true)
string(8) "started
"
bool(true)
