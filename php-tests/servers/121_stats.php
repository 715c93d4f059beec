<?php
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
echo "before start: ", json_encode($server->stats()), "\n";
$server->on('message', function ($server, $frame) {
    if ($frame->data === 'stats') {
        $st = $server->stats();
        echo "keys: ", implode(',', array_keys($st)), "\n";
        echo "connection_num={$st['connection_num']} accept_count={$st['accept_count']} close_count={$st['close_count']} request_count={$st['request_count']}\n";
        echo "start_time_ok=", json_encode(abs($st['start_time'] - time()) < 60), "\n";
    }
    $server->push($frame->fd, 'ok');
});
$server->on('close', function ($server, $fd) {
    echo "close $fd\n";
});
$server->start();
