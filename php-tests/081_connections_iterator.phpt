--TEST--
api: $server->connections is a Swoole\Connection\Iterator: count(), foreach, isset($server->connections[$fd]), connection info by fd
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/081_connections.php', [$port]);
$srv->waitForListening($port);

$a = RawWs::connect($port);
$b = RawWs::connect($port);
$c = RawWs::connect($port);
foreach ([$a, $b, $c] as $ws) {
    $ws->sendText('hi');
    $ws->recvFrame();
}
$b->sendText('list');
foreach (['a' => $a, 'b' => $b, 'c' => $c] as $name => $ws) {
    echo "$name got: ", $ws->recvFrame()['payload'], "\n";
}
$c->close();
$srv->waitForOutput("close 3, left: 2\n");
$a->close();
$b->close();
$srv->waitForOutput("left: 0\n");
var_dump($srv->stop());
echo preg_replace('/close [12], left: [01]\n/', '', $srv->stdout());
?>
--EXPECT--
a got: to 1
b got: to 2
c got: to 3
int(0)
before start: Swoole\Connection\Iterator 0 []
Iterator,Countable,ArrayAccess
count: 3 3
foreach: 0=>1 1=>2 2=>3
again: 1 2 3
isset(2): true
isset(999): false
isset(1): true
info: 127.0.0.1 same fd as connection_info
bool(false)
close 3, left: 2
