<?php
// The coroutine client as an echo client for the Autobahn client-side cases
// (scripts/autobahn --client): it asks a fuzzing server how many cases there are,
// runs each (echoing every message back, compressed when the case agreed
// permessage-deflate) and asks for the reports.
// Usage: php autobahn_client.php [port] [agent]   (default 9001, swoole-rs)
use Swoole\Coroutine\Http\Client;

$port = (int)($argv[1] ?? 9001);
$agent = $argv[2] ?? 'swoole-rs';

function connect(int $port, string $path): ?Client
{
    $c = new Client('127.0.0.1', $port);
    $c->set([
        'websocket_compression' => true,
        'package_max_length' => 64 * 1024 * 1024,
        'timeout' => 60,
        // Pings are answered automatically; the close is echoed either way.
        'open_websocket_ping_frame' => false,
        'open_websocket_pong_frame' => false,
    ]);
    if (!$c->upgrade($path)) {
        fwrite(STDERR, "upgrade $path: {$c->errCode} {$c->errMsg}\n");
        return null;
    }
    return $c;
}

Co\run(function () use ($port, $agent) {
    $c = connect($port, '/getCaseCount');
    $count = (int)($c?->recv()?->data ?? 0);
    $c?->close();
    for ($i = 1; $i <= $count; $i++) {
        $c = connect($port, "/runCase?case=$i&agent=" . urlencode($agent));
        if ($c === null) {
            continue;
        }
        while (true) {
            $frame = $c->recv();
            if (!$frame instanceof Swoole\WebSocket\Frame || $frame instanceof Swoole\WebSocket\CloseFrame) {
                break;
            }
            $flags = SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS;
            if (!$c->push($frame->data, $frame->opcode, $flags)) {
                break;
            }
        }
        $c->close();
    }
    $c = connect($port, '/updateReports?agent=' . urlencode($agent));
    $c?->close();
    echo "ran $count cases\n";
});
