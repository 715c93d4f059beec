<?php
// The manual's first WebSocket example, verbatim except that the port (argv[1]) and,
// optionally, the host (argv[2], default 127.0.0.1) come from the command line.
$server = new Swoole\WebSocket\Server($argv[2] ?? "127.0.0.1", (int)$argv[1]);

$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
    echo "server: handshake success with fd{$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    echo "receive from {$frame->fd}:{$frame->data},opcode:{$frame->opcode},fin:{$frame->finish}\n";
    $server->push($frame->fd, "this is server");
});

$server->on('close', function ($server, $fd) {
    echo "client {$fd} closed\n";
});

$server->start();
