<?php
// Server whose onMessage does nothing, for bench/run: measures what the PHP
// thread spends per event (Frame object, callback call) with no reply.
//   php -d extension=... examples/bench/empty.php [port] [base|process] [worker_num]
require __DIR__ . '/server.php';
$server = bench_server($argv);

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) {
});

$server->start();
