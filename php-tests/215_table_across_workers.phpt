--TEST--
shared memory across worker processes: a Swoole\Table row written by one worker is read by another, and a Swoole\Atomic counts every worker's messages (SWOOLE_PROCESS and SWOOLE_BASE)
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
foreach (['process', 'base'] as $mode) {
    $port = free_port();
    $srv = ServerProcess::start(__DIR__ . '/servers/215_table_workers.php', [$port, $mode]);
    $srv->waitForListening($port);
    // Clients until two sit on different workers.
    $on = [];
    $sent = 0;
    for ($i = 0; $i < 64 && count($on) < 2; $i++) {
        $c = RawWs::connect($port);
        preg_match('/^w(\d+)/', ask($c, 'who'), $m);
        $sent++;
        $on[(int)$m[1]] ??= $c;
    }
    echo "$mode: ", ask($on[0], 'set:k:hello'), "\n";
    $sent++;
    $reply = ask($on[1], 'get:k');
    $sent++;
    echo "$mode: ", preg_replace('/hits=\d+/', 'hits=' . ($reply === "w1 reads hello written by w0, hits=$sent" ? 'all' : 'wrong'), $reply), "\n";
    var_dump($srv->stop());
}
?>
--EXPECT--
process: set in w0
process: w1 reads hello written by w0, hits=all
int(0)
base: set in w0
base: w1 reads hello written by w0, hits=all
int(0)
