--TEST--
manual example: open_websocket_close_frame (examples/close_frame.php): the client's close frame reaches onMessage as a CloseFrame with code and reason, and is still answered
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('close_frame.php', $port);
$srv->waitForListening($port);

$ws = RawWs::connect($port);
$ws->sendText('msg');
$srv->waitForOutput("Message received: msg\n");
var_dump($ws->close(4000, 'bye'));

$r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--close', '1000', '--reason', 'see you']);
echo $r['stdout'];
$srv->waitForOutput("Reason see you\n");
var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
array(2) {
  ["code"]=>
  int(4000)
  ["reason"]=>
  string(3) "bye"
}
open: status=101 extensions=- subprotocol=-
closed: code=1000 reason=see you
int(0)
Message received: msg
Close frame received: Code 4000 Reason bye
Close frame received: Code 1000 Reason see you
