<?php
// Quiet echo server for the soak test: every message goes back as it came; prints only
// "open <fd>" and "close <fd>", so the test can check that every connection was closed.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('open', function ($server, $request) {
    echo "open {$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->on('close', function ($server, $fd) {
    echo "close {$fd}\n";
});

$server->start();
