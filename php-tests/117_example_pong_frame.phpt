--TEST--
manual example: open_websocket_pong_frame (examples/pong_frame.php): pongs reach onMessage; pings are still answered automatically
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('pong_frame.php', $port);
$srv->waitForListening($port);

$ws = RawWs::connect($port);
$ws->sendFrame(WS_OP_PONG, 'unsolicited');
$srv->waitForOutput("Pong frame received: Code 10\n");
$ws->sendFrame(WS_OP_PING, 'p2');
$f = $ws->recvFrame();
var_dump($f['opcode'], $f['payload']);
$ws->close();
var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
int(10)
string(2) "p2"
int(0)
Pong frame received: Code 10
