<?php
// Event names in any case: 'OPEN', 'Message', 'cLoSe'.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
var_dump($server->on('OPEN', function ($server, $request) {
    echo "OPEN callback: fd {$request->fd}\n";
}));
var_dump($server->on('Message', function ($server, $frame) {
    echo "Message callback: {$frame->data}\n";
    $server->push($frame->fd, "got {$frame->data}");
}));
var_dump($server->on('cLoSe', function ($server, $fd) {
    echo "cLoSe callback: fd $fd\n";
}));
$server->start();
