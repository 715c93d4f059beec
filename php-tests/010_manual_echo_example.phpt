--TEST--
foundation: examples/echo_server.php (the manual's first example, as is) with a websockets client: hello, "this is server", close; exact server stdout
--SKIPIF--
<?php
// The example listens on 0.0.0.0:9501, fixed.
$s = @stream_socket_server('tcp://0.0.0.0:9501', $errno, $errstr);
if ($s === false) {
    die("skip port 9501 is busy ($errstr)");
}
fclose($s);
?>
--CONFLICTS--
port9501
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$srv = ServerProcess::start(__DIR__ . '/../examples/echo_server.php');
$srv->waitForListening(9501);

$r = py_client('ws_client.py', ['--url', 'ws://127.0.0.1:9501/', '--send', 'hello'], 20);
echo $r['stdout'];
var_dump($r['code']);

$srv->waitForOutput("client 1 closed\n");
var_dump($srv->stop());
echo "--- server stdout ---\n", $srv->stdout();
echo "--- server stderr ---\n", $srv->stderr();
?>
--EXPECT--
open: status=101 extensions=- subprotocol=-
recv: text this is server
closed: code=1000 reason=
int(0)
int(0)
--- server stdout ---
server: handshake success with fd1
receive from 1:hello,opcode:1,fin:1
client 1 closed
--- server stderr ---
