--TEST--
closes made by the server: disconnect() and close() run onClose (reactorId -1) before they return, and only once; a heartbeat close reports reactorId -1, a client's close 0; disconnect's code and reason reach the client
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/070_ordered_close.php', [$port]);
$srv->waitForListening($port);

$ws = RawWs::connect($port);
$ws->sendText('disconnect');
$f = $ws->recvFrame();
echo 'client got close ', unpack('n', $f['payload'])[1], ' "', substr($f['payload'], 2), "\"\n";
$ws->sendFrame(WS_OP_CLOSE, $f['payload']);
var_dump($ws->isEof(5));
$srv->waitForOutput("disconnect() returned");

$ws = RawWs::connect($port);
$ws->sendText('close');
$f = $ws->recvFrame();
echo 'client got close ', unpack('n', $f['payload'])[1], "\n";
$ws->sendFrame(WS_OP_CLOSE, $f['payload']);
var_dump($ws->isEof(5));
$srv->waitForOutput("close() returned");

$ws = RawWs::connect($port);
var_dump($ws->close(1000, 'from the client'));
$srv->waitForOutput("onClose fd=3 ");
var_dump($srv->stop());
echo $srv->stdout();

// Heartbeat: an idle client is closed by the server.
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/070_ordered_close.php', [$port, 1]);
$srv->waitForListening($port);
$ws = RawWs::connect($port);
$f = $ws->recvFrame(10);
echo 'idle client got opcode ', $f['opcode'], "\n";
$srv->waitForOutput("onClose fd=1 ");
var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
client got close 4000 "bye"
bool(true)
client got close 1000
bool(true)
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(15) "from the client"
}
int(0)
disconnect(1) called
onClose fd=1 reactorId=-1
disconnect() returned true, exist: false
close(2) called
onClose fd=2 reactorId=-1
close() returned true
onClose fd=3 reactorId=0
idle client got opcode 8
int(0)
onClose fd=1 reactorId=-1
