--TEST--
workers: sendMessage() reaches onPipeMessage($server, $srcWorkerId, $message) in the target worker (both modes); stop() replaces only the calling worker; SWOOLE_PROCESS dispatch_mode 1 (round robin per connection) keeps each connection on one worker, dispatch_mode 5 follows bind(); bad mode, dispatch_mode and worker_num are refused with a clear message
--FILE--
<?php
require __DIR__ . '/lib/workers.php';

foreach (['base', 'process'] as $mode) {
    [$srv, $port] = start_workers($mode, 2);
    $clients = $mode === 'base' ? clients_on_workers($port, 2) : [];
    if ($mode === 'process') {
        foreach ([1, 2] as $fd) {
            $c = RawWs::connect($port);
            $clients[$fd] = [$c, who($c)];
        }
    }
    $byWorker = [];
    foreach ($clients as $fd => [$c, $w]) {
        $byWorker[$w['worker']] ??= [$fd, $c];
    }
    [$fd0, $c0] = $byWorker[0];
    [$fd1, $c1] = $byWorker[1];
    // Worker 0 asks worker 1 to push to worker 0's own client, and the reverse. The
    // sender's reply and the other worker's push may arrive in either order.
    foreach ([[$c0, "pipe:1:$fd0"], [$c1, "pipe:0:$fd1"]] as [$c, $cmd]) {
        $c->sendText($cmd);
        $got = [$c->recvFrame()['payload'], $c->recvFrame()['payload']];
        sort($got);
        echo "$mode: ", implode(' + ', $got), "\n";
    }
    echo "$mode: ", ask($c0, "pipe:7:$fd0"), "\n";
    var_dump($srv->stop());
    echo str_contains($srv->stderr() . $srv->stdout(), 'worker_id[7] is invalid') ? "$mode: invalid worker warned\n" : "no warning\n";
}

// stop(): the calling worker leaves and is replaced; the other one stays.
[$srv, $port] = start_workers('process', 2);
$a = RawWs::connect($port); // fd 1: worker 1
$b = RawWs::connect($port); // fd 2: worker 0
$pa = who($a)['pid'];
$pb = who($b)['pid'];
echo ask($a, 'stop'), "\n";
$srv->waitForOutput("workerstop 1\n");
echo "stop(): its worker replaced: ", json_encode(who($a)['pid'] !== $pa), ", the other kept: ", json_encode(who($b)['pid'] === $pb), "\n";
var_dump($srv->stop());

// dispatch_mode 1: connections spread round robin, each stays on its worker, in order.
[$srv, $port] = start_workers('process', 2, ['dispatch_mode' => 1]);
$seen = [];
$sticky = true;
foreach (range(1, 4) as $i) {
    $c = RawWs::connect($port);
    $w = who($c)['worker'];
    $seen[$w] = true;
    for ($j = 0; $j < 20; $j++) {
        $c->sendText("m$j");
    }
    for ($j = 0; $j < 20; $j++) {
        $sticky = $sticky && str_starts_with($c->recvFrame()['payload'], "echo m$j w$w ");
    }
}
echo "dispatch_mode 1: both workers used: ", json_encode(count($seen) === 2), ", each connection on one worker in order: ", json_encode($sticky), "\n";
var_dump($srv->stop());

// Bad settings.
$php = php_command();
foreach ([
    '$s = new Swoole\WebSocket\Server("127.0.0.1", 0, 3);',
    '$s = new Swoole\WebSocket\Server("127.0.0.1", 0); var_dump($s->set(["dispatch_mode" => 9]));',
    '$s = new Swoole\WebSocket\Server("127.0.0.1", 0); var_dump($s->set(["worker_num" => 0]));',
] as $code) {
    $p = proc_open([...$php, '-r', "try { $code } catch (Throwable \$e) { echo get_class(\$e), ': ', \$e->getMessage(), \"\\n\"; }"], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    echo trim(preg_replace('/ in Command line code on line \d+/', '', stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]))), "\n";
    proc_close($p);
}
?>
--EXPECT--
base: pipe from 0 to 1 + sent true
base: pipe from 1 to 0 + sent true
base: sent false
int(0)
base: invalid worker warned
process: pipe from 0 to 1 + sent true
process: pipe from 1 to 0 + sent true
process: sent false
int(0)
process: invalid worker warned
stop true
stop(): its worker replaced: true, the other kept: true
int(0)
dispatch_mode 1: both workers used: true, each connection on one worker in order: true
int(0)
Swoole\Exception: invalid $mode parameters 3
Warning: Swoole\WebSocket\Server::set(): dispatch_mode 9 is not supported (1, 2, 3, 4, 5, 7, or a dispatch_func)
bool(true)
Warning: Swoole\WebSocket\Server::set(): worker_num must be greater than 0, 0 given
bool(true)
