--TEST--
Swoole\Table, Swoole\Atomic and Swoole\Lock made before start() and used from the server's callbacks: three clients' messages are all counted, and a fourth connection reads the totals back
--SKIPIF--
<?php if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded'); ?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/185_shared_state.php', [$port]);
$srv->waitForListening($port);

$clients = [];
for ($c = 0; $c < 3; $c++) {
    $clients[$c] = RawWs::connect($port);
}
$last = null;
for ($i = 0; $i < 10; $i++) {
    foreach ($clients as $c => $ws) {
        $ws->sendText("c$c:$i");
        $last = (int)$ws->recvFrame()['payload'];
    }
}
echo "last counter reply: $last\n";
$report = RawWs::connect($port);
$report->sendText('report');
echo $report->recvFrame()['payload'], "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
last counter reply: 30
{"total":30,"count":3,"rows":{"c0":"10 c0:9","c1":"10 c1:9","c2":"10 c2:9"}}
int(0)
