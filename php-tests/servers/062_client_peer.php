<?php
// The peer of the client tests (060-079): a WebSocket server on 127.0.0.1:argv[1];
// argv[2] = "compress" turns on websocket_compression (and compressed pushes).
// onOpen prints the path, query and the x-test header; every message is echoed with its
// opcode, except these commands (text messages):
//   frag        a text message in three fragments, with a ping pushed between them
//   ping-me     a ping frame with payload "srv"
//   close-me    $server->close($fd) (no close frame)
//   disconnect  $server->disconnect($fd, 4000, 'bye')
//   silent      nothing at all
// Pongs from the client are printed (open_websocket_pong_frame).
$compress = ($argv[2] ?? '') === 'compress';
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->set([
    'websocket_compression' => $compress,
    'open_websocket_pong_frame' => true,
    'open_websocket_close_frame' => true,
]);

$server->on('open', function (Swoole\WebSocket\Server $server, Swoole\Http\Request $request) {
    printf("open fd=%d path=%s query=%s x-test=%s\n", $request->fd, $request->server['path_info'],
        $request->server['query_string'] ?? '-', $request->header['x-test'] ?? '-');
});

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) use ($compress) {
    $fd = $frame->fd;
    if ($frame->opcode === WEBSOCKET_OPCODE_PONG) {
        echo "pong fd=$fd data={$frame->data}\n";
        return;
    }
    if ($frame->opcode === WEBSOCKET_OPCODE_CLOSE) {
        echo "close frame fd=$fd code={$frame->code} reason={$frame->reason}\n";
        return;
    }
    $flags = SWOOLE_WEBSOCKET_FLAG_FIN | ($compress ? SWOOLE_WEBSOCKET_FLAG_COMPRESS : 0);
    switch ($frame->data) {
        case 'frag':
            $server->push($fd, 'frag', WEBSOCKET_OPCODE_TEXT, 0);
            $ping = new Swoole\WebSocket\Frame;
            $ping->opcode = WEBSOCKET_OPCODE_PING;
            $ping->data = 'mid';
            $server->push($fd, $ping);
            $server->push($fd, 'men', WEBSOCKET_OPCODE_CONTINUATION, 0);
            $server->push($fd, 'ted', WEBSOCKET_OPCODE_CONTINUATION, SWOOLE_WEBSOCKET_FLAG_FIN);
            return;
        case 'ping-me':
            $ping = new Swoole\WebSocket\Frame;
            $ping->opcode = WEBSOCKET_OPCODE_PING;
            $ping->data = 'srv';
            $server->push($fd, $ping);
            return;
        case 'close-me':
            $server->close($fd);
            return;
        case 'disconnect':
            $server->disconnect($fd, 4000, 'bye');
            return;
        case 'silent':
            return;
    }
    echo "message fd=$fd opcode={$frame->opcode} len=" . strlen($frame->data) . "\n";
    $server->push($fd, $frame->data, $frame->opcode, $flags);
});

$server->on('close', function ($server, $fd) {
    echo "close fd=$fd\n";
});

$server->start();
