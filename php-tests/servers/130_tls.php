<?php
// wss:// echo: SWOOLE_SOCK_TCP | SWOOLE_SSL with the certificate the test made.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1], SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);
$server->set(['ssl_cert_file' => $argv[2], 'ssl_key_file' => $argv[3]]);
$server->on('message', function ($server, $frame) {
    $server->push($frame->fd, $frame->data, $frame->opcode);
});
$server->on('close', function ($server, $fd) {
    echo "close $fd\n";
});
$server->start();
