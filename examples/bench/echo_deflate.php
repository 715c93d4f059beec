<?php
// Quiet compressed echo server for bench/run: permessage-deflate is accepted
// when the client offers it, and every message goes back compressed.
//   php -d extension=... examples/bench/echo_deflate.php [port] [base|process] [worker_num]
require __DIR__ . '/server.php';
$server = bench_server($argv);
$server->set(['websocket_compression' => true]);

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    $server->push(
        $frame->fd,
        $frame->data,
        $frame->opcode,
        SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS
    );
});

$server->start();
