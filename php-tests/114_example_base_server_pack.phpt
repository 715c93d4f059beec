--TEST--
manual example: Swoole\Server (SWOOLE_BASE) with onReceive sends a hand-made 101 and Server::pack("hello world\n") (examples/base_server_pack.php); the bytes are exact
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::startExample('base_server_pack.php', $port);
$srv->waitForListening($port);

// Raw bytes: exactly the example's response.
$resp = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1.0);
echo addcslashes($resp, "\0..\37\177..\377"), "\n";
// The frame after the head is what pack() made, and unpack() reads it back.
$frame = substr($resp, strpos($resp, "\r\n\r\n") + 4);
var_dump(Swoole\WebSocket\Server::unpack($frame)->data);

var_dump($srv->stop());
var_dump($srv->stdout());
?>
--EXPECT--
HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: IFpdKwYy9wdo4gTldFLHFh3xQE0=\r\nSec-WebSocket-Version: 13\r\nServer: swoole-http-server\r\n\r\n\201\fhello world\n
string(12) "hello world
"
int(0)
string(0) ""
