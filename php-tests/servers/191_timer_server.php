<?php
// Timers in a server: onWorkerStart starts a 30 ms tick that pushes "tick N" to every
// connection; "after" arms Swoole 4's $server->after(); "stop" clears the tick with
// $server->clearTimer(); "throw" arms a timer whose callback throws.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
// One worker: the test follows one process's timers.
$server->set(['worker_num' => 1]);
$tick = null;

$server->on('workerStart', function ($server, $workerId) use (&$tick) {
    $n = 0;
    $tick = Swoole\Timer::tick(30, function ($id) use ($server, &$n) {
        $n++;
        foreach ($server->connections as $fd) {
            $server->push($fd, "tick $n cid>0=" . (int)(Co::getCid() > 0));
        }
    });
    echo "worker start, tick ", is_int($tick) ? 'armed' : 'failed', "\n";
});

$server->on('message', function ($server, $frame) use (&$tick) {
    switch ($frame->data) {
        case 'after':
            $server->after(20, function ($fd, $what) use ($server) {
                $server->push($fd, "after fired with $what");
            }, $frame->fd, 'param');
            break;
        case 'stop':
            $server->push($frame->fd, 'cleared ' . json_encode([$server->clearTimer($tick), Swoole\Timer::exists($tick)]));
            break;
        case 'throw':
            Swoole\Timer::after(10, function () {
                throw new LogicException('thrown in a timer');
            });
            Swoole\Timer::after(40, function () use ($server, $frame) {
                $server->push($frame->fd, 'still ticking after the exception');
            });
            break;
        case 'count':
            $server->push($frame->fd, 'timers ' . count(Swoole\Timer::list()));
            break;
    }
});

$server->on('workerStop', function ($server) {
    echo "worker stop\n";
});

$server->start();
echo "after start, timers left: ", count(Swoole\Timer::list()), "\n";
