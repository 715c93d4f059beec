<?php
// Broadcast server for bench/run: a message from any client (the benchmark's
// sender) is pushed to every established connection, the sender included.
//   php -d extension=... examples/bench/broadcast.php [port]
$server = new Swoole\WebSocket\Server('127.0.0.1', (int) ($argv[1] ?? 9501));

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
    foreach ($server->connections as $fd) {
        if ($server->isEstablished($fd)) {
            $server->push($fd, $frame->data);
        }
    }
});

$server->start();
