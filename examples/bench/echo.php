<?php
// Quiet echo server for bench/run: every message goes back as it came.
//   php -d extension=... examples/bench/echo.php [port] [base|process] [worker_num]
require __DIR__ . '/server.php';
$server = bench_server($argv);

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->start();
