<?php
// onMessage throws for the message "throw" and echoes anything else as "echo:<data>".
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->data === 'throw') {
        throw new Exception("boom from fd {$frame->fd}");
    }
    $server->push($frame->fd, "echo:{$frame->data}");
});

$server->on('close', function ($server, $fd) {
    echo "client {$fd} closed\n";
});

$server->start();
echo "after start\n";
