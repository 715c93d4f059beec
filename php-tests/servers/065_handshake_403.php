<?php
// Refuses every WebSocket handshake with 403 and a short body (onHandShake).
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->on('handshake', function (Swoole\Http\Request $request, Swoole\Http\Response $response) {
    echo "handshake refused: ", $request->header['x-test'] ?? '-', "\n";
    $response->status(403);
    $response->header('X-Reason', 'not today');
    $response->end('forbidden');
    return false;
});
$server->on('message', function ($server, $frame) {
});
$server->start();
