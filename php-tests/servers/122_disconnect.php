<?php
// onDisconnect (Swoole >= 4.7): plain HTTP connections and response->close() report there;
// WebSocket connections still get onClose.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->on('message', function ($server, $frame) {});
$server->on('request', function ($request, $response) {
    if ($request->server['request_uri'] === '/close') {
        $response->close();
    } else {
        $response->end('ok');
    }
});
$server->on('disconnect', function ($server, $fd) {
    echo "disconnect $fd\n";
});
$server->on('close', function ($server, $fd) {
    echo "close $fd\n";
});
$server->start();
