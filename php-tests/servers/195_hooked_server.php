<?php
// hook_flags => SWOOLE_HOOK_SLEEP: onMessage's plain usleep() yields. Answers
// "slept peak=<most callbacks in flight>".
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->set(['hook_flags' => SWOOLE_HOOK_SLEEP]);
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
