<?php
// onMessage calls exit(3) for the message "exit" and echoes anything else.
register_shutdown_function(function () {
    echo "shutdown function\n";
});

$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->data === 'exit') {
        echo "exiting\n";
        exit(3);
    }
    $server->push($frame->fd, $frame->data);
});

$server->start();
echo "after start\n";
