--TEST--
manual example: open_websocket_ping_frame (examples/ping_frame.php): pings reach onMessage and the example's own Pong frame answers them (no automatic pong)
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('ping_frame.php', $port);
$srv->waitForListening($port);

$ws = RawWs::connect($port);
$ws->sendFrame(WS_OP_PING, 'p1');
$f = $ws->recvFrame();
var_dump($f['opcode'], $f['payload']);
// Exactly one pong: the example's (empty, as its code builds it), none from the server itself.
try {
    $ws->recvFrame(0.3);
    echo "unexpected second frame\n";
} catch (RuntimeException $e) {
    echo "no more frames\n";
}
$ws->sendText('msg');
$srv->waitForOutput("Message received: msg\n");
$ws->close();
var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
int(10)
string(0) ""
no more frames
int(0)
Ping frame received: Code 9
Message received: msg
