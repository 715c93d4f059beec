<?php
// Quiet echo server for bench/run: every message goes back as it came.
//   php -d extension=... examples/bench/echo.php [port]
$server = new Swoole\WebSocket\Server('127.0.0.1', (int) ($argv[1] ?? 9501));

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->start();
