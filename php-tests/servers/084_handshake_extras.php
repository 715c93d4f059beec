<?php
// argv: port, mode ("custom": the manual's onHandShake; "before": Swoole's own
// handshake with onBeforeHandShakeResponse). Compression on in both.
[, $port, $mode] = $argv;
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$port);
$server->set(['websocket_compression' => true]);

if ($mode === 'custom') {
    $server->on('handshake', function (Swoole\Http\Request $request, Swoole\Http\Response $response) {
        $key = $request->header['sec-websocket-key'] ?? '';
        if (16 !== strlen(base64_decode($key))) {
            $response->end();
            return false;
        }
        $response->header('Upgrade', 'websocket');
        $response->header('Connection', 'Upgrade');
        $response->header('Sec-WebSocket-Accept', base64_encode(sha1($key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true)));
        $response->header('Sec-WebSocket-Version', '13');
        $response->cookie('sid', 'a b/c', 0, '/', '', false, true);
        $response->status(101);
        $response->end();
        return true;
    });
} else {
    $server->on('beforeHandShakeResponse', function (Swoole\WebSocket\Server $server, Swoole\Http\Request $request, Swoole\Http\Response $response) {
        echo "before handshake response fd={$request->fd} path={$request->server['request_uri']}\n";
        $response->header('X-Before', 'yes');
        $response->rawcookie('token', 'x%20y', 0, '/chat', 'example.com', true, true, 'Strict');
    });
    $server->on('open', function ($server, $request) {
        echo "open {$request->fd}\n";
    });
}

$server->on('message', function ($server, $frame) {
    $server->push($frame->fd, $frame->data);
});

$server->on('request', function ($request, $response) {
    var_dump($response->cookie('bad=name', 'v'));
    var_dump($response->rawcookie('raw', 'has space'));
    $response->cookie('gone');
    $response->cookie('old', 'v', 1);
    $response->setCookie('full', 'é&', 0, '/p', 'd.example', true, true, 'Lax', 'High', true);
    $response->end('cookies');
});
$server->start();
