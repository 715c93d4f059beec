<?php
// Server whose onMessage does nothing, for bench/run: measures what the PHP
// thread spends per event (Frame object, callback call) with no reply.
//   php -d extension=... examples/bench/empty.php [port]
$server = new Swoole\WebSocket\Server('127.0.0.1', (int) ($argv[1] ?? 9501));

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
});

$server->start();
