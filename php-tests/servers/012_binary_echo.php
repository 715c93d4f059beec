<?php
// Echoes every message with its own opcode (binary stays binary) and reports what
// onMessage saw: opcode, length and sha1 of $frame->data.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    printf("message fd=%d opcode=%d type=%s len=%d sha1=%s\n", $frame->fd, $frame->opcode,
        gettype($frame->data), strlen($frame->data), sha1($frame->data));
    $opcode = $frame->opcode === WEBSOCKET_OPCODE_BINARY ? WEBSOCKET_OPCODE_BINARY : WEBSOCKET_OPCODE_TEXT;
    var_dump($server->push($frame->fd, $frame->data, $opcode));
});

$server->start();
