<?php
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
// One process: the test counts what is left as each close is handled.
$server->set(['worker_num' => 1]);
$c = $server->connections;
echo "before start: ", get_class($c), ' ', count($c), ' ', json_encode(iterator_to_array($c)), "\n";
$server->on('message', function ($server, $frame) {
    if ($frame->data !== 'list') {
        $server->push($frame->fd, 'ok');
        return;
    }
    $conns = $server->connections;
    $impl = [];
    foreach ([Iterator::class, Countable::class, ArrayAccess::class] as $i) {
        $impl[] = $conns instanceof $i ? $i : "not $i";
    }
    echo implode(',', $impl), "\n";
    echo "count: ", count($conns), ' ', $conns->count(), "\n";
    $fds = [];
    foreach ($conns as $k => $fd) {
        $fds[] = "$k=>$fd";
    }
    echo "foreach: ", implode(' ', $fds), "\n";
    // A second loop over the same object starts again.
    echo "again: ", implode(' ', iterator_to_array($conns)), "\n";
    foreach ([$frame->fd, 999, '1'] as $fd) {
        echo "isset($fd): ", json_encode(isset($server->connections[$fd])), "\n";
    }
    $info = $server->connections[$frame->fd];
    echo "info: ", $info['remote_ip'], ' ', $info['socket_fd'] === $frame->fd ? 'same fd' : 'other fd',
        ' ', $info == $server->connection_info($frame->fd) ? 'as connection_info' : 'differs', "\n";
    var_dump($server->connections[999]);
    // Broadcast the manual's way.
    foreach ($server->connections as $fd) {
        if ($server->isEstablished($fd)) {
            $server->push($fd, "to $fd");
        }
    }
});
$server->on('close', function ($server, $fd) {
    echo "close $fd, left: ", count($server->connections), "\n";
});
$server->start();
