--TEST--
manual example: broadcast from onRequest, oop version (examples/broadcast_oop.php): an HTTP request pushes ?message= to every WebSocket client via $server->connections and isEstablished()
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('broadcast_oop.php', $port);
$srv->waitForListening($port);

$a = RawWs::connect($port);
$b = RawWs::connect($port);
$srv->waitForOutput("fd2\n");

// The HTTP connection is in $server->connections too, but not established: no push to it.
$resp = RawWs::httpRequest($port, "GET /?message=hello%20all HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
echo strtok($resp, "\r\n"), "\n";
foreach ([$a, $b] as $ws) {
    $f = $ws->recvFrame();
    echo $f['opcode'], ' ', $f['payload'], "\n";
}

// A real client alongside: it receives the next broadcast.
$py = ServerProcess::startCommand([__DIR__ . '/../.venv/bin/python', __DIR__ . '/clients/ws_client.py',
    '--url', "ws://127.0.0.1:$port/", '--recv']);
$srv->waitForOutput("fd4\n");
RawWs::httpRequest($port, "GET /?message=second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
var_dump($py->wait(10));
echo $py->stdout();
echo $a->recvFrame()['payload'], ' ', $b->recvFrame()['payload'], "\n";

$a->sendText('from a');
echo $a->recvFrame()['payload'], "\n";
$a->close();
$b->close();
$srv->waitForOutput("client 2 closed\n");
var_dump($srv->stop());
$lines = explode("\n", trim($srv->stdout()));
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECT--
HTTP/1.1 500 Internal Server Error
1 hello all
1 hello all
int(0)
open: status=101 extensions=- subprotocol=-
recv: text second
closed: code=1000 reason=
second second
this is server
int(0)
client 1 closed
client 2 closed
client 3 closed
client 4 closed
client 5 closed
receive from 1:from a,opcode:1,fin:1
server: handshake success with fd1
server: handshake success with fd2
server: handshake success with fd4
