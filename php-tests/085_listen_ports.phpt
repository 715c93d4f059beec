--TEST--
api: $server->listen()/addListener() return a Swoole\Server\Port with its own set() and on(): a plain TCP port next to the WebSocket port, on the same server and loop; a port without set() speaks WebSocket with the server's callbacks
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$wsPort = free_port();
do {
    $tcpPort = free_port();
} while ($tcpPort === $wsPort);
do {
    $wsPort2 = free_port();
} while ($wsPort2 === $wsPort || $wsPort2 === $tcpPort);
$srv = ServerProcess::start(__DIR__ . '/servers/085_ports.php', [$wsPort, $tcpPort, $wsPort2]);
$srv->waitForListening($wsPort);
$srv->waitForListening($tcpPort);
$srv->waitForListening($wsPort2);

$ws = RawWs::connect($wsPort);
$ws->sendText('hi');
echo $ws->recvFrame()['payload'], "\n";

$tcp = stream_socket_client("tcp://127.0.0.1:$tcpPort", $errno, $errstr, 5);
stream_set_timeout($tcp, 5);
fwrite($tcp, "hello\n");
echo fgets($tcp);
echo $ws->recvFrame()['payload'], "\n";
fclose($tcp);
$srv->waitForOutput("tcp close");

$ws2 = RawWs::connect($wsPort2);
$ws2->sendText('second');
echo $ws2->recvFrame()['payload'], "\n";
$ws2->close();
$ws->close();
$srv->waitForOutput("ws close 1\n");
$srv->waitForOutput("ws close 3\n");
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECTF--
ws: hi
tcp: hello
from tcp: hello
ws: second
int(0)
Swoole\Server\Port 127.0.0.1:%d type=1
array(1) {
  ["open_http_protocol"]=>
  bool(false)
}
bool(true)
bool(false)
bool(false)
tcp connect 2
tcp receive 2: hello (server_port matches: true)
tcp close 2
ws close %d
ws close %d
