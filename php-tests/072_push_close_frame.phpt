--TEST--
open_websocket_close_frame: onMessage answers the client's close with push($fd, new CloseFrame): push() returns true, the client gets that one close frame (code and reason), and nothing after it
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/070_ordered_close.php', [$port, 0, 1]);
$srv->waitForListening($port);

for ($i = 1; $i <= 5; $i++) {
    $ws = RawWs::connect($port);
    $ws->sendText("m$i");
    $r = $ws->close(4000 + $i, "bye $i");
    echo "client $i: ", json_encode($r), ' after ', json_encode(array_column($ws->skippedFrames, 'payload')), "\n";
    $ws = null;
    $srv->waitForOutput("onClose fd=$i ");
}
var_dump($srv->stop());
$out = $srv->stdout();
echo $out;
?>
--EXPECT--
client 1: {"code":4001,"reason":"echo: bye 1"} after ["re:m1"]
client 2: {"code":4002,"reason":"echo: bye 2"} after ["re:m2"]
client 3: {"code":4003,"reason":"echo: bye 3"} after ["re:m3"]
client 4: {"code":4004,"reason":"echo: bye 4"} after ["re:m4"]
client 5: {"code":4005,"reason":"echo: bye 5"} after ["re:m5"]
int(0)
close frame from 1: 4001 bye 1
push(CloseFrame) in onMessage: true
onClose fd=1 reactorId=0
close frame from 2: 4002 bye 2
push(CloseFrame) in onMessage: true
onClose fd=2 reactorId=0
close frame from 3: 4003 bye 3
push(CloseFrame) in onMessage: true
onClose fd=3 reactorId=0
close frame from 4: 4004 bye 4
push(CloseFrame) in onMessage: true
onClose fd=4 reactorId=0
close frame from 5: 4005 bye 5
push(CloseFrame) in onMessage: true
onClose fd=5 reactorId=0
