<?php
// argv: WebSocket port, plain TCP port, second HTTP/WebSocket port.
[, $wsPort, $tcpPort, $wsPort2] = array_map('intval', $argv);
$server = new Swoole\WebSocket\Server('127.0.0.1', $wsPort);

$tcp = $server->listen('127.0.0.1', $tcpPort, SWOOLE_SOCK_TCP);
echo get_class($tcp), " {$tcp->host}:{$tcp->port} type={$tcp->type}\n";
$tcp->set(['open_http_protocol' => false]);
var_dump($tcp->setting);
$tcp->on('connect', function ($server, $fd) {
    echo "tcp connect $fd\n";
});
$tcp->on('receive', function (Swoole\WebSocket\Server $server, $fd, $reactorId, $data) use ($tcpPort) {
    $data = trim($data);
    $info = $server->getClientInfo($fd);
    echo "tcp receive $fd: $data (server_port matches: ", json_encode($info['server_port'] === $tcpPort), ")\n";
    $server->send($fd, "tcp: $data\n");
    // The same loop serves both ports: tell every WebSocket client.
    foreach ($server->connections as $c) {
        if ($server->isEstablished($c)) {
            $server->push($c, "from tcp: $data");
        }
    }
});
$tcp->on('close', function ($server, $fd) {
    echo "tcp close $fd\n";
});

// A port without set() or on(): speaks WebSocket with the server's callbacks.
$second = $server->addListener('127.0.0.1', $wsPort2, SWOOLE_SOCK_TCP);
var_dump($second instanceof Swoole\Server\Port);

// Binding a busy port fails as in Swoole.
var_dump(@$server->listen('127.0.0.1', $wsPort, SWOOLE_SOCK_TCP));

$server->on('message', function ($server, $frame) {
    $server->push($frame->fd, "ws: {$frame->data}");
});
$server->on('close', function ($server, $fd) {
    echo "ws close $fd\n";
});
$server->on('workerStart', function ($server, $id) {
    // (Once: the server runs a worker per CPU.)
    if ($id === 0) {
        var_dump(@$server->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP));
    }
});
$server->start();
