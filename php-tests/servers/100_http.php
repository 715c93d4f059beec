<?php
// onRequest: echoes what the request carried, plus a few response variants by path.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->on('message', function ($server, $frame) {});
$server->on('request', function (Swoole\Http\Request $request, Swoole\Http\Response $response) {
    switch ($request->server['path_info']) {
        case '/dump':
            $response->header('Content-Type', 'application/json');
            $response->end(json_encode([
                'fd' => $request->fd > 0,
                'method' => $request->getMethod(),
                'uri' => $request->server['request_uri'],
                'query' => $request->server['query_string'] ?? null,
                'get' => $request->get,
                'post' => $request->post,
                'cookie' => $request->cookie,
                'x-test' => $request->header['x-test'] ?? null,
                'raw' => $request->rawContent(),
                'same' => $request->getContent() === $request->rawContent(),
            ]));
            break;
        case '/chunked':
            var_dump($response->isWritable());
            $response->write('hello ');
            $response->write('world');
            $response->end();
            var_dump($response->isWritable());
            break;
        case '/status':
            $response->status(404);
            $response->header('x-custom', 'yes');
            $response->end('not here');
            break;
        case '/noend':
            break;
        case '/close':
            $response->close();
            break;
    }
});
$server->on('close', function ($server, $fd) {
    echo "close $fd\n";
});
$server->start();
