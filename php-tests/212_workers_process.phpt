--TEST--
workers, SWOOLE_PROCESS: the master holds every connection; dispatch_mode 2 sends fd N to worker N % 4, a connection's messages reach one worker in order; pushes work from any worker to any fd; a worker killed with SIGKILL (or calling exit()) is restarted and reported, every connection stays open and messages sent while it was down reach the new worker; SIGTERM closes every client with 1001 after every onClose and onWorkerStop
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
[$srv, $port] = start_workers('process', 4);
$clients = [];
for ($i = 0; $i < 8; $i++) {
    $c = RawWs::connect($port);
    $w = who($c);
    $clients[$w['fd']] = [$c, $w];
}
$fd_mod = true;
foreach ($clients as $fd => [, $w]) {
    $fd_mod = $fd_mod && $w['worker'] === $fd % 4;
}
echo "fd % worker_num: ", json_encode($fd_mod), "\n";

// In order, one worker: 50 messages sent at once.
[$c1, $w1] = $clients[1];
for ($i = 0; $i < 50; $i++) {
    $c1->sendText("m$i");
}
$in_order = true;
for ($i = 0; $i < 50; $i++) {
    $in_order = $in_order && $c1->recvFrame()['payload'] === "echo m$i w{$w1['worker']} p{$w1['pid']}";
}
echo "50 messages answered in order by one worker: ", json_encode($in_order), "\n";

echo ask($c1, 'to:2:from fd 1'), " ", $clients[2][0]->recvFrame()['payload'], "\n";

// A worker dies; its connections stay, and what is sent meanwhile is answered.
foreach (['kill' => 'code=0 signal=9', 'exit:3' => 'code=3 signal=0'] as $cmd => $expect) {
    [$c, $w] = $clients[3];
    $c->sendText($cmd);
    $c->sendText('after-1');
    $c->sendText('after-2');
    $srv->waitForOutput("workererror 3 pid={$w['pid']} $expect\n");
    $r1 = $c->recvFrame()['payload'];
    $r2 = $c->recvFrame()['payload'];
    $new = (int)substr(strrchr($r1, 'p'), 1);
    echo "$cmd: ", $r1 === "echo after-1 w3 p$new" && $r2 === "echo after-2 w3 p$new" && $new !== $w['pid']
        ? "messages sent while the worker was down answered by its replacement" : "$r1 / $r2", "\n";
    $clients[3][1]['pid'] = $new;
}
$alive = 0;
foreach ($clients as $fd => [$c, $w]) {
    $alive += str_starts_with(ask($c, 'still'), "echo still w{$w['worker']}") ? 1 : 0;
}
echo "connections still open: $alive of 8\n";

$c1->sendText('all:bcast');
$once = true;
foreach ($clients as $fd => [$c]) {
    $once = $once && $c->recvFrame()['payload'] === 'bcast' && who($c)['fd'] === $fd;
}
echo "broadcast from a worker reached every client exactly once: ", json_encode($once), "\n";

// Clients answer the server's close frame at once here, as browsers do.
$srv->signal(SIGTERM);
$codes = [];
foreach ($clients as [$c]) {
    $f = $c->recvFrame();
    $codes[] = $f['opcode'] === WS_OP_CLOSE ? unpack('n', $f['payload'])[1] : -1;
    $c->sendFrame(WS_OP_CLOSE, $f['payload']);
}
echo "close codes: ", json_encode(array_unique($codes)), "\n";
var_dump($srv->wait());
$out = $srv->stdout();
echo "every onClose ran: ", json_encode(preg_match_all('/^close \d+ w\d$/m', $out) === 8), "\n";
echo "workerstop: ", preg_match_all('/^workerstop \d$/m', $out), "\n";
echo "shutdown: ", substr_count($out, "shutdown\n"), ", after start: ", substr_count($out, "after start\n"), "\n";
?>
--EXPECT--
fd % worker_num: true
50 messages answered in order by one worker: true
pushed true from fd 1
kill: messages sent while the worker was down answered by its replacement
exit:3: messages sent while the worker was down answered by its replacement
connections still open: 8 of 8
broadcast from a worker reached every client exactly once: true
close codes: [1001]
int(0)
every onClose ran: true
workerstop: 4
shutdown: 1, after start: 1
