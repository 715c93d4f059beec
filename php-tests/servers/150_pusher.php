<?php
// buffer_output_size 1 MiB. "flood" makes the server push 64 KiB binary messages to the
// sender until push() returns false (at most 1000 of them), then report how many went:
// "flood <fd>: <n> accepted, then false". Anything else is echoed.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->set(['buffer_output_size' => 1024 * 1024]);

$server->on('open', function ($server, $request) {
    echo "open {$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    if ($frame->data === 'flood') {
        $chunk = str_repeat('z', 65536);
        for ($n = 0; $n < 1000; $n++) {
            if (!$server->push($frame->fd, $chunk, WEBSOCKET_OPCODE_BINARY)) {
                break;
            }
        }
        echo "flood {$frame->fd}: $n accepted, then ", $n < 1000 ? 'false' : 'never false', "\n";
        return;
    }
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->on('close', function ($server, $fd) {
    echo "close {$fd}\n";
});

$server->start();
