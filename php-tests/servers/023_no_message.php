<?php
// start() without a message callback must fail, not serve.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->on('open', function ($server, $request) {
    echo "open {$request->fd}\n";
});
try {
    $r = $server->start();
    echo "start() returned ", var_export($r, true), "\n";
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
echo "done\n";
