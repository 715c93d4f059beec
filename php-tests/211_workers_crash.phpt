--TEST--
workers, SWOOLE_BASE: a worker that calls exit(7) or is SIGKILLed is restarted with the same id and onWorkerError($server, $id, $pid, $code, $signal) reports it in the manager; that worker's own connections close (with a 1011 close frame after exit(), without one after SIGKILL), clients on other workers notice nothing
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
[$srv, $port] = start_workers('base', 2);

foreach (['exit:7' => 'code=7 signal=0', 'kill' => 'code=0 signal=9'] as $cmd => $expect) {
    $clients = clients_on_workers($port, 2);
    $victim = array_key_first($clients);
    [$vc, $vw] = $clients[$victim];
    $vc->sendText($cmd);
    $srv->waitForOutput("workererror {$vw['worker']} pid={$vw['pid']} $expect\n");
    $f = $vc->recvFrame();
    $how = $f === null ? 'without a close frame' : ($f['opcode'] === WS_OP_CLOSE ? 'with close code ' . unpack('n', $f['payload'])[1] : 'no');
    echo "$cmd: victim's connection ended $how\n";
    $survivors = 0;
    $others = 0;
    foreach ($clients as $fd => [$c, $w]) {
        if ($w['worker'] !== $vw['worker']) {
            $others++;
            $survivors += ask($c, 'ping') === "echo ping w{$w['worker']} p{$w['pid']}" ? 1 : 0;
        }
    }
    echo "$cmd: clients of other workers still served: ", json_encode($survivors === $others && $others > 0), "\n";
    // The replacement has the same id and a new pid, and serves new clients.
    $srv->waitForOutput("workerstart {$vw['worker']} ");
    $deadline = microtime(true) + 10;
    do {
        $starts = worker_starts($srv->stdout());
    } while (count($starts[$vw['worker']]) < 2 + ($cmd === 'kill' ? 1 : 0) && microtime(true) < $deadline && usleep(20000) === null);
    $pids = $starts[$vw['worker']];
    echo "$cmd: restarted with a new pid: ", json_encode(end($pids) !== $vw['pid']), "\n";
    foreach ($clients as [$c]) {
        unset($c);
    }
}
var_dump($srv->stop());
?>
--EXPECT--
exit:7: victim's connection ended with close code 1011
exit:7: clients of other workers still served: true
exit:7: restarted with a new pid: true
kill: victim's connection ended without a close frame
kill: clients of other workers still served: true
kill: restarted with a new pid: true
int(0)
