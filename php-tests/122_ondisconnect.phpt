--TEST--
manual API: onDisconnect gets the non-WebSocket connections (a finished request, response->close()), onClose the WebSocket ones
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/122_disconnect.php', [$port]);
$srv->waitForListening($port);

echo strtok(RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), "\r\n"), "\n";
$srv->waitForOutput("disconnect 1\n");
var_dump(RawWs::httpRequest($port, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n"));
$srv->waitForOutput("disconnect 2\n");
$ws = RawWs::connect($port);
$ws->close();
$srv->waitForOutput("close 3\n");
var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
HTTP/1.1 200 OK
string(0) ""
int(0)
disconnect 1
disconnect 2
close 3
