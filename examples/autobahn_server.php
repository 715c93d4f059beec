<?php
// An echo server with compression on: what the Autobahn conformance suite runs against
// (scripts/autobahn). Usage: php autobahn_server.php [port]   (default 9001)
$port = (int)($argv[1] ?? 9001);

$server = new Swoole\WebSocket\Server('127.0.0.1', $port);
$server->set([
    'websocket_compression' => true,
    'package_max_length' => 64 * 1024 * 1024,
]);

$server->on('message', function ($server, $frame) {
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->start();
