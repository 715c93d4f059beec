<?php
// Echo server for the hostile-input tests (140-159): every message goes back with its
// opcode. Prints "open <fd>", "message <fd> <length>" and "close <fd>" (onClose runs for
// every connection, upgraded or not), so a test can wait for a given connection to be gone.
//
//   140_echo.php PORT [SETTINGS_JSON]
//
// SETTINGS_JSON, if given, is passed to $server->set() (e.g. {"package_max_length":65536}).
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
if (isset($argv[2]) && $argv[2] !== '') {
    $server->set(json_decode($argv[2], true, 8, JSON_THROW_ON_ERROR));
}

$server->on('open', function (Swoole\WebSocket\Server $server, $request) {
    echo "open {$request->fd}\n";
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    echo "message {$frame->fd} ", strlen($frame->data), "\n";
    $server->push($frame->fd, $frame->data, $frame->opcode);
});

$server->on('close', function ($server, $fd) {
    echo "close {$fd}\n";
});

$server->start();
