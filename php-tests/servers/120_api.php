<?php
// Exercises the server API from inside callbacks and prints what each call returns.
use Swoole\WebSocket\Frame;
use Swoole\WebSocket\CloseFrame;

$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);

// Before start(): nothing to act on.
echo "before start: ";
var_dump($server->push(1, 'x'), $server->exist(1), $server->isEstablished(1), $server->connection_info(1));

$server->on('open', function ($server, $request) {
    $fd = $request->fd;
    echo "open $fd: exist=", json_encode($server->exist($fd)), " established=", json_encode($server->isEstablished($fd)), "\n";
    $info = $server->connection_info($fd);
    echo "info keys: ", implode(',', array_keys($info)), "\n";
    echo "websocket_status=", $info['websocket_status'], " remote_ip=", $info['remote_ip'], " same=", json_encode($info == $server->getClientInfo($fd)), "\n";
    echo "list: ", json_encode($server->getClientList()), " count=", count($server->connections), "\n";
});

$server->on('message', function ($server, $frame) {
    $fd = $frame->fd;
    switch ($frame->data) {
        case 'bad':
            var_dump($server->push(9999, 'x'));
            var_dump($server->push($fd, 'x', 11));
            var_dump($server->push($fd, 'x', -1));
            var_dump($server->disconnect($fd, 1001));
            var_dump($server->disconnect($fd, 3000));
            var_dump($server->disconnect($fd, 4000, str_repeat('r', 124)));
            var_dump($server->disconnect(9999));
            var_dump($server->ping($fd, str_repeat('p', 126)));
            var_dump($server->connection_info(9999));
            echo "done bad\n";
            break;
        case 'frames':
            // A Frame object, a CloseFrame-free binary frame, the bool $finish form, a fragment.
            $f = new Frame;
            $f->data = 'from object';
            var_dump($server->push($fd, $f));
            var_dump($server->push($fd, "\x00\xff", WEBSOCKET_OPCODE_BINARY));
            var_dump($server->push($fd, 'part1-', WEBSOCKET_OPCODE_TEXT, false));
            var_dump($server->push($fd, 'part2', WEBSOCKET_OPCODE_CONTINUATION, true));
            var_dump($server->ping($fd, 'hb'));
            // A numeric string fd works, as in Swoole's non-strict calls.
            var_dump($server->push((string)$fd, 'string fd'), $server->exist("$fd"));
            break;
        case 'bye':
            var_dump($server->disconnect($fd, 4001, 'go away'));
            var_dump($server->push($fd, 'too late'));
            break;
    }
});

$server->on('close', function ($server, $fd) {
    echo "close $fd: exist=", json_encode($server->exist($fd)), "\n";
    var_dump($server->push($fd, 'after close'));
    echo "close done\n";
});

$server->start();
