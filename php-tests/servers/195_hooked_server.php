<?php
// hook_flags => SWOOLE_HOOK_SLEEP: onMessage's plain usleep() yields. Answers
// "slept peak=<most callbacks in flight>".
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
// One worker: the test counts concurrency inside one process.
$server->set(['hook_flags' => SWOOLE_HOOK_SLEEP, 'worker_num' => 1]);
$inFlight = 0;
$peak = 0;
$server->on('message', function ($server, $frame) use (&$inFlight, &$peak) {
    $inFlight++;
    $peak = max($peak, $inFlight);
    usleep(300000);
    $inFlight--;
    $server->push($frame->fd, "slept peak=$peak");
});
$server->start();
