--TEST--
reactor: a coroutine WebSocket client inside a server callback: onMessage connects to the same server, which serves that connection (handshake, onMessage) while the first callback waits, and relays the answer; two relays at once
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/199_relay_server.php', [$port]);
$srv->waitForListening($port);

$a = RawWs::connect($port);
$b = RawWs::connect($port);
$a->sendText('relay');
$b->sendText('relay');
echo 'a: ', $a->recvFrame(5.0)['payload'] ?? 'nothing', "\n";
echo 'b: ', $b->recvFrame(5.0)['payload'] ?? 'nothing', "\n";
$a->sendText('plain');
echo 'a: ', $a->recvFrame(5.0)['payload'] ?? 'nothing', "\n";
unset($a, $b);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
a: relayed: true echo echo-me cid>0=1
b: relayed: true echo echo-me cid>0=1
a: echo plain
int(0)
