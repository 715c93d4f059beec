<?php
// multipart/form-data: fields in $request->post, files in $request->files (as $_FILES).
$server = new Swoole\Http\Server('127.0.0.1', (int)$argv[1]);
$server->on('request', function ($request, $response) {
    if ($request->server['request_uri'] === '/exists') {
        $response->end(json_encode(file_exists($request->get['path'])));
        return;
    }
    $f = $request->files['doc'];
    $response->end(json_encode([
        'post' => $request->post,
        'name' => $f['name'],
        'type' => $f['type'],
        'size' => $f['size'],
        'error' => $f['error'],
        'content' => bin2hex(file_get_contents($f['tmp_name'])),
        'tmp_name' => $f['tmp_name'],
    ]));
});
$server->start();
