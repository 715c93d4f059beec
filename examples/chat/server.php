<?php
/**
 * A browser chat: open http://127.0.0.1:9502/ in two browser windows.
 *
 *   php server.php [port]      (default 9502)
 *
 * GET / serves index.html; the page connects back with a WebSocket to
 * ws://<host>/?name=<nickname> and sends each message as JSON {"name": ..., "text": ...}.
 * Every message is broadcast to every established WebSocket connection, the sender's
 * included; joins and leaves are announced as {"name": null, "text": ...}.
 */

$port = (int)($argv[1] ?? 9502);
$page = file_get_contents(__DIR__ . '/index.html');
if ($page === false) {
    fwrite(STDERR, "cannot read index.html\n");
    exit(1);
}

$server = new Swoole\WebSocket\Server('0.0.0.0', $port);
// The nickname of each WebSocket connection, by fd. A Swoole\Table lives in shared memory,
// so every worker process (one per CPU by default) sees every connection's name.
$names = new Swoole\Table(4096);
$names->column('name', Swoole\Table::TYPE_STRING, 128);
$names->create();

/** A nickname or message text as it may be shown: UTF-8, no control characters, trimmed, capped. */
function clean($value, int $max): string
{
    if (!is_string($value) || preg_match('//u', $value) !== 1) {
        return ''; // not a string, or not UTF-8
    }
    $value = trim(preg_replace('/\p{Cc}+/u', ' ', $value));
    preg_match('/^.{0,' . $max . '}/su', $value, $m); // at most $max characters
    return $m[0];
}

/** Pushes $message (encoded as JSON) to every established WebSocket connection but $except. */
function broadcast(Swoole\WebSocket\Server $server, array $message, int $except = 0): int
{
    $json = json_encode($message, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    $sent = 0;
    // connections holds plain HTTP connections too: only established WebSockets get a push.
    foreach ($server->connections as $fd) {
        if ($fd !== $except && $server->isEstablished($fd) && $server->push($fd, $json)) {
            $sent++;
        }
    }
    return $sent;
}

$server->on('request', function (Swoole\Http\Request $request, Swoole\Http\Response $response) use ($page) {
    $path = $request->server['request_uri'] ?? '/';
    if ($request->getMethod() !== 'GET') {
        $response->status(405);
        $response->header('Allow', 'GET');
        $response->header('Content-Type', 'text/plain; charset=utf-8');
        $response->end("method not allowed\n");
    } elseif ($path === '/' || $path === '/index.html') {
        $response->header('Content-Type', 'text/html; charset=utf-8');
        $response->header('Cache-Control', 'no-cache');
        $response->end($page);
    } else {
        $response->status(404);
        $response->header('Content-Type', 'text/plain; charset=utf-8');
        $response->end("not found\n");
    }
});

$server->on('open', function (Swoole\WebSocket\Server $server, Swoole\Http\Request $request) use ($names) {
    $name = clean($request->get['name'] ?? '', 32);
    $name = $name !== '' ? $name : "guest{$request->fd}";
    $names->set((string)$request->fd, ['name' => $name]);
    $online = count($names);
    echo "open fd={$request->fd} name=$name online=$online\n";
    broadcast($server, ['name' => null, 'text' => "$name joined ($online online)"]);
});

$server->on('message', function (Swoole\WebSocket\Server $server, Swoole\WebSocket\Frame $frame) use ($names) {
    $msg = json_decode($frame->data, true);
    $text = clean(is_array($msg) ? ($msg['text'] ?? '') : '', 2000);
    if ($text === '') {
        echo "ignored fd={$frame->fd}: not a chat message\n";
        return;
    }
    $name = clean($msg['name'] ?? '', 32);
    if ($name === '') {
        $name = $names->get((string)$frame->fd, 'name') ?: "guest{$frame->fd}";
    }
    $sent = broadcast($server, ['name' => $name, 'text' => $text]);
    echo "message fd={$frame->fd} name=$name to=$sent\n";
});

$server->on('close', function (Swoole\WebSocket\Server $server, int $fd) use ($names) {
    $name = $names->get((string)$fd, 'name');
    if ($name === false) {
        return; // a plain HTTP connection (the page itself)
    }
    $names->del((string)$fd);
    $online = count($names);
    echo "close fd=$fd name=$name online=$online\n";
    broadcast($server, ['name' => null, 'text' => "$name left ($online online)"], $fd);
});

echo "chat on http://127.0.0.1:$port/\n";
$server->start();
