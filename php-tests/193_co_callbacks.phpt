--TEST--
reactor: every server callback runs in its own coroutine (enable_coroutine, on by default): 20 clients whose onMessage does Co::sleep(0.5) are all in flight at once, a callback waiting on a Channel lets a later message feed it, go() + WaitGroup inside a callback, Co\\run() refused and Event::wait() a no-op inside one, an uncaught exception in a coroutine is reported and the worker goes on, onRequest ends its response after a sleep; with enable_coroutine off callbacks run one at a time outside coroutines
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

echo "== enable_coroutine on ==\n";
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/193_co_server.php', [$port, 1, 0.5]);
$srv->waitForListening($port);

$clients = [];
for ($i = 0; $i < 20; $i++) {
    $clients[] = RawWs::connect($port);
}
foreach ($clients as $c) {
    $c->sendText('sleep');
}
$answers = [];
foreach ($clients as $c) {
    $answers[] = $c->recvFrame(5.0)['payload'] ?? 'nothing';
}
// Every callback was still sleeping when the last one started.
echo implode("\n", array_count_values($answers) ? array_keys(array_count_values($answers)) : []), "\n";

$a = $clients[0];
$b = $clients[1];
$a->sendText('wait');
$b->sendText('feed apple');
echo 'b: ', $b->recvFrame()['payload'], "\n";
echo 'a: ', $a->recvFrame()['payload'], "\n";

$a->sendText('group');
echo 'a: ', $a->recvFrame()['payload'], "\n";

$a->sendText('nested');
echo 'a: ', $a->recvFrame()['payload'], "\n";

$a->sendText('boom');
echo 'a: ', $a->recvFrame()['payload'], "\n";
$srv->waitForOutput('thrown in');
echo 'reported: ', str_contains($srv->stdout(), 'Uncaught DomainException: thrown in a coroutine') ? 'yes' : 'no', "\n";
$b->sendText('sleep');
echo 'b after the exception: ', $b->recvFrame()['payload'], "\n";

$resp = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
echo 'http: ', strtok($resp, "\r\n"), ' / ', substr($resp, strpos($resp, "\r\n\r\n") + 4), "\n";

$clients = [];
unset($a, $b);
var_dump($srv->stop());

echo "== enable_coroutine off ==\n";
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/193_co_server.php', [$port, 0, 0.05]);
$srv->waitForListening($port);
$clients = [];
for ($i = 0; $i < 3; $i++) {
    $clients[] = RawWs::connect($port);
}
foreach ($clients as $c) {
    $c->sendText('sleep');
}
foreach ($clients as $c) {
    echo $c->recvFrame(5.0)['payload'] ?? 'nothing', "\n";
}
$clients = [];
var_dump($srv->stop());
?>
--EXPECT--
== enable_coroutine on ==
slept cid>0=1 peak=20
b: fed
a: popped apple
a: group true c0:child,c1:child,c2:child
a: nested run: false event wait returns: null
a: armed
reported: yes
b after the exception: slept cid>0=1 peak=20
http: HTTP/1.1 200 OK / late body cid>0=1
int(0)
== enable_coroutine off ==
slept cid>0=0 peak=1
slept cid>0=0 peak=1
slept cid>0=0 peak=1
int(0)
