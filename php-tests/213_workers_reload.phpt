--TEST--
workers: $server->reload() and SIGUSR1 to the master restart every worker one at a time (onBeforeReload/onAfterReload, onWorkerStop then onWorkerStart with new pids, freshly loaded code) and in SWOOLE_PROCESS mode no connection drops; max_request (max_request_grace 0, the handshake counting as a request) replaces a worker after exactly that many requests, its connection kept
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
[$srv, $port] = start_workers('process', 2);
$c = [];
foreach ([1, 2] as $fd) {
    $c[$fd] = RawWs::connect($port);
}
$before = [who($c[1])['pid'], who($c[2])['pid']];

echo ask($c[1], 'reload'), "\n";
$srv->waitForOutput("afterreload\n");
$starts = worker_starts($srv->stdout());
echo "each worker started twice: ", json_encode(count($starts[0]) === 2 && count($starts[1]) === 2), "\n";
$after = [who($c[1])['pid'], who($c[2])['pid']];
echo "connections kept, new pids: ", json_encode($after[0] !== $before[0] && $after[1] !== $before[1]), "\n";
$out = $srv->stdout();
echo "order: ", json_encode(strpos($out, "beforereload") < strpos($out, "workerstop 0") && strpos($out, "workerstop 0") < strpos($out, "afterreload")), "\n";

// SIGUSR1 to the master does the same.
$srv->signal(SIGUSR1);
$deadline = microtime(true) + 10;
while (substr_count($srv->stdout(), "afterreload\n") < 2 && microtime(true) < $deadline) {
    usleep(20000);
}
echo "SIGUSR1: ", substr_count($srv->stdout(), "afterreload\n"), " reloads, pids new again: ",
    json_encode(who($c[1])['pid'] !== $after[0]), "\n";
var_dump($srv->stop());

// max_request: 3 requests per worker, one worker, the connection kept throughout.
[$srv, $port] = start_workers('process', 1, ['max_request' => 3, 'max_request_grace' => 0]);
$ws = RawWs::connect($port);             // request 1: the handshake
$p1 = who($ws)['pid'];                   // 2
$p1b = who($ws)['pid'];                  // 3: the worker is replaced after this one
$p2 = who($ws)['pid'];                   // the new worker's first request
echo "max_request: same worker for 3 requests: ", json_encode($p1 === $p1b), ", then a new one: ", json_encode($p2 !== $p1), "\n";
$srv->waitForOutput("workerstop 0\n");
echo "no workererror: ", json_encode(!str_contains($srv->stdout(), 'workererror')), "\n";
var_dump($srv->stop());
?>
--EXPECT--
reload true
each worker started twice: true
connections kept, new pids: true
order: true
SIGUSR1: 2 reloads, pids new again: true
int(0)
max_request: same worker for 3 requests: true, then a new one: true
no workererror: true
int(0)
