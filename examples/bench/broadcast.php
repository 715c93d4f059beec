<?php
// Broadcast server for bench/run: a message from any client (the benchmark's
// sender) is pushed to every established connection, the sender included.
//   php -d extension=... examples/bench/broadcast.php [port] [base|process] [worker_num]
require __DIR__ . '/server.php';
$server = bench_server($argv);

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    foreach ($server->connections as $fd) {
        if ($server->isEstablished($fd)) {
            $server->push($fd, $frame->data);
        }
    }
});

$server->start();
