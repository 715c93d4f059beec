<?php
// "push <fd>" pushes to that fd from onMessage and var_dumps the result; anything else
// is echoed.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
// One process: the test follows one worker's view of its connections' lifetimes.
$server->set(['worker_num' => 1]);

$server->on('open', function ($server, $request) {
    echo "open {$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if (preg_match('/^push (\d+)$/', $frame->data, $m)) {
        echo "push to fd {$m[1]}:\n";
        var_dump($server->push((int)$m[1], 'x'));
        $server->push($frame->fd, 'pushed');
        return;
    }
    $server->push($frame->fd, $frame->data);
});

$server->on('close', function ($server, $fd) {
    echo "close {$fd}\n";
});

$server->start();
