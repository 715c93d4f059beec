<?php
// "relay": onMessage opens a coroutine WebSocket client to this same server, pushes
// "echo-me" and answers what came back; anything else is echoed as "echo <data>".
$port = (int)$argv[1];
$server = new Swoole\WebSocket\Server('127.0.0.1', $port);
$server->on('message', function ($server, $frame) use ($port) {
    if ($frame->data === 'relay') {
        $cli = new Swoole\Coroutine\Http\Client('127.0.0.1', $port);
        $cli->set(['timeout' => 3]);
        $ok = $cli->upgrade('/');
        $cli->push('echo-me');
        $f = $cli->recv();
        $server->push($frame->fd, 'relayed: ' . json_encode($ok) . ' ' . ($f ? $f->data : 'nothing') . ' cid>0=' . (int)(Co::getCid() > 0));
        $cli->close();
        return;
    }
    $server->push($frame->fd, "echo {$frame->data}");
});
$server->start();
