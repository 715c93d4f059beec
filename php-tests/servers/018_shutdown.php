<?php
// Echo server for the shutdown tests: prints a line per open and per close, and carries
// on after start() returns.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
    echo "open {$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    $server->push($frame->fd, $frame->data);
});

$server->on('close', function ($server, $fd) {
    echo "client {$fd} closed\n";
});

$server->start();
echo "after start\n";
