<?php
// var_dumps the frames onMessage receives; echoes binary messages back as binary.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->opcode === WEBSOCKET_OPCODE_BINARY) {
        echo 'binary: ', bin2hex($frame->data), ' strlen=', strlen($frame->data), "\n";
        $server->push($frame->fd, $frame->data, WEBSOCKET_OPCODE_BINARY);
        return;
    }
    var_dump($frame);
    var_dump($frame instanceof Swoole\WebSocket\Frame);
    $server->push($frame->fd, 'dumped');
});

$server->start();
