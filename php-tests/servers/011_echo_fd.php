<?php
// Echo server that tags each reply with the fd it came from: "<fd>:<data>".
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
    echo "open {$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    echo "message {$frame->fd} {$frame->data}\n";
    $server->push($frame->fd, "{$frame->fd}:{$frame->data}");
});

$server->on('close', function ($server, $fd) {
    echo "close {$fd}\n";
});

$server->start();
