<?php
// Echo server for the close tests: replies "re:" + data with the same opcode, and
// acts on commands: "disconnect" and "close" close from PHP (printing around the
// call), "closeframe" pushes a CloseFrame. Every onClose prints its reactorId.
// argv: port [heartbeat seconds] [open_websocket_close_frame 0|1]
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$settings = ['open_websocket_close_frame' => (bool)($argv[3] ?? 0)];
if (($argv[2] ?? 0) > 0) {
    $settings['heartbeat_check_interval'] = (int)$argv[2];
    $settings['heartbeat_idle_time'] = (int)$argv[2];
}
$server->set($settings);
$server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
    $fd = $frame->fd;
    if ($frame instanceof Swoole\WebSocket\CloseFrame) {
        echo "close frame from $fd: {$frame->code} {$frame->reason}\n";
        $reply = new Swoole\WebSocket\CloseFrame();
        $reply->code = $frame->code;
        $reply->reason = "echo: {$frame->reason}";
        $r = $server->push($fd, $reply);
        echo 'push(CloseFrame) in onMessage: ', var_export($r, true), "\n";
        return;
    }
    switch ($frame->data) {
        case 'disconnect':
            echo "disconnect($fd) called\n";
            $r = $server->disconnect($fd, 4000, 'bye');
            echo 'disconnect() returned ', var_export($r, true), ', exist: ', var_export($server->exist($fd), true), "\n";
            break;
        case 'close':
            echo "close($fd) called\n";
            $r = $server->close($fd);
            echo 'close() returned ', var_export($r, true), "\n";
            break;
        default:
            $server->push($fd, "re:{$frame->data}", $frame->opcode);
    }
});
$server->on('close', function ($server, $fd, $reactorId) {
    echo "onClose fd=$fd reactorId=$reactorId\n";
});
$server->start();
