--TEST--
manual example: onHandShake + $server->defer() (examples/handshake_defer.php): a real client gets "hello, welcome" first, then the echo; the 101 carries the protocol headers the example leaves out
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('handshake_defer.php', $port);
$srv->waitForListening($port);

$r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--recv', '--send', 'hi']);
echo $r['stdout'];

$ws = RawWs::connect($port, '/', ['Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==']);
echo preg_replace('/^Date: .*$/m', 'Date: <date>', $ws->handshakeResponse());
$f = $ws->recvFrame();
var_dump($f['opcode'], $f['masked'], $f['payload']);
$ws->close();

var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
open: status=101 extensions=- subprotocol=-
recv: text hello, welcome

recv: text this is server
closed: code=1000 reason=
HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-Websocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
Sec-Websocket-Version: 13
Server: swoole-http-server
Date: <date>

int(1)
bool(false)
string(15) "hello, welcome
"
int(0)
Client connected
receive from 1:hi,opcode:1,fin:1
client 1 closed
Client connected
client 2 closed
