--TEST--
manual example: custom onHandShake (examples/custom_handshake.php) accepts real clients, answers with its own headers, refuses bad keys, and onOpen is not called
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('custom_handshake.php', $port);
$srv->waitForListening($port);

// A real client through the custom handshake.
$r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--send', 'hi']);
echo $r['stdout'];

// The exact head the callback builds (header() formats names as Swoole does).
$ws = RawWs::connect($port, '/', ['Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==']);
echo preg_replace('/^Date: .*$/m', 'Date: <date>', $ws->handshakeResponse());
$ws->sendText('after custom hs');
echo $ws->recvFrame()['payload'], "\n";
var_dump($ws->close());
$srv->waitForOutput("client 2 closed\n");

// The subprotocol the client asked for is echoed by the example's code.
$ws = RawWs::connect($port, '/', ['Sec-WebSocket-Protocol' => 'chat, superchat']);
var_dump($ws->header('sec-websocket-protocol'));
$ws->close();
$srv->waitForOutput("client 3 closed\n");

// A key that fails the example's check: end() without 101, return false.
// (Each close is awaited: the example runs a worker per CPU, so two
// connections' onClose could otherwise print in either order.)
foreach (['abc' => 4, 'AAAAAAAAAAAAAAAAAAAAAB==' => 5] as $key => $fd) {
    $resp = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n");
    echo $key, ' -> ', strtok($resp, "\r\n"), "\n";
    $srv->waitForOutput("client $fd closed\n");
}

var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECTF--
open: status=101 extensions=- subprotocol=-
recv: text this is server
closed: code=1000 reason=
HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-Websocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
Sec-Websocket-Version: 13
Server: swoole-http-server
Date: <date>

this is server
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
string(15) "chat, superchat"
abc -> HTTP/1.1 200 OK
AAAAAAAAAAAAAAAAAAAAAB== -> HTTP/1.1 200 OK
int(0)
%s==receive from 1:hi,opcode:1,fin:1
client 1 closed
dGhlIHNhbXBsZSBub25jZQ==receive from 2:after custom hs,opcode:1,fin:1
client 2 closed
%s==client 3 closed
client 4 closed
client 5 closed
