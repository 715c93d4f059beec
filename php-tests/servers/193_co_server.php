<?php
// Coroutines in server callbacks. argv: port, enable_coroutine (1/0), sleep seconds.
// "sleep": Co::sleep, then answer "slept cid>0=<0|1> peak=<most callbacks in flight>".
// "wait": pops a channel (a later "feed X" pushes X), answers "popped X".
// "group": three go() coroutines joined by a WaitGroup, answers their results in order.
// "nested": Co\run() and Event::wait() inside a callback.
// "boom": a go() coroutine throws after a sleep; the server goes on.
// HTTP: onRequest sleeps before end(): the response is sent when the coroutine ends.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
// One worker: the test counts concurrency inside one process.
$server->set(['enable_coroutine' => (bool)(int)$argv[2], 'worker_num' => 1]);
$pause = (float)$argv[3];
$inFlight = 0;
$peak = 0;
$chan = null;

$server->on('workerStart', function () use (&$chan) {
    $chan = new Swoole\Coroutine\Channel(4);
});

$server->on('message', function ($server, $frame) use ($pause, &$inFlight, &$peak, &$chan) {
    $cmd = explode(' ', $frame->data, 2);
    switch ($cmd[0]) {
        case 'sleep':
            $inFlight++;
            $peak = max($peak, $inFlight);
            Co::sleep($pause);
            $inFlight--;
            $server->push($frame->fd, 'slept cid>0=' . (int)(Co::getCid() > 0) . " peak=$peak");
            break;
        case 'wait':
            $v = $chan->pop(5);
            $server->push($frame->fd, "popped $v");
            break;
        case 'feed':
            $chan->push($cmd[1]);
            $server->push($frame->fd, 'fed');
            break;
        case 'group':
            $wg = new Swoole\Coroutine\WaitGroup();
            $res = [];
            foreach ([30, 10, 20] as $i => $ms) {
                $wg->add();
                go(function () use ($wg, $ms, $i, &$res) {
                    Co::sleep($ms / 1000);
                    $res[$i] = "c$i:" . (Co::getPcid() > 0 ? 'child' : 'orphan');
                    $wg->done();
                });
            }
            $ok = $wg->wait(2);
            ksort($res);
            $server->push($frame->fd, 'group ' . json_encode($ok) . ' ' . implode(',', $res));
            break;
        case 'nested':
            // The worker's loop runs already: Co\run() refuses (with a warning).
            $server->push($frame->fd, 'nested run: ' . json_encode(@Co\run(fn() => 1)) . ' event wait returns: ' . json_encode(Swoole\Event::wait()));
            break;
        case 'boom':
            go(function () {
                Co::sleep(0.01);
                throw new DomainException('thrown in a coroutine');
            });
            $server->push($frame->fd, 'armed');
            break;
    }
});

$server->on('request', function ($request, $response) use ($pause) {
    Co::sleep($pause);
    $response->end('late body cid>0=' . (int)(Co::getCid() > 0));
});

$server->start();
