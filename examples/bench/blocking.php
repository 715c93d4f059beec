<?php
// Echo server whose onMessage blocks for 10 ms in a plain usleep() (no
// coroutine hooks), for bench/run: only more worker processes answer faster.
//   php -d extension=... examples/bench/blocking.php [port] [base|process] [worker_num]
require __DIR__ . '/server.php';
$server = bench_server($argv);

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    usleep(10000);
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->start();
