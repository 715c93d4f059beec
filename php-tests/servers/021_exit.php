<?php
// onMessage calls exit(3) for the message "exit" and echoes anything else.
register_shutdown_function(function () {
    echo "shutdown function\n";
});

$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
// One process: exit() in a callback then ends the server itself. (With
// several workers it ends only that worker, which is restarted: see 211.)
$server->set(['worker_num' => 1]);

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->data === 'exit') {
        echo "exiting\n";
        exit(3);
    }
    $server->push($frame->fd, $frame->data);
});

$server->start();
echo "after start\n";
