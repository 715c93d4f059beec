<?php
// The server every script in examples/bench/ runs, from its command line:
//   php -d extension=... examples/bench/SCRIPT.php [port] [base|process] [worker_num]
// Mode and worker_num are Swoole's defaults (SWOOLE_BASE, one worker per CPU
// the process may use) unless given.
function bench_server(array $argv): Swoole\WebSocket\Server
{
    $port = (int) ($argv[1] ?? 9501);
    $mode = match ($argv[2] ?? 'base') {
        'base' => SWOOLE_BASE,
        'process' => SWOOLE_PROCESS,
        default => usage($argv[0]),
    };
    $server = new Swoole\WebSocket\Server('127.0.0.1', $port, $mode);
    if (isset($argv[3])) {
        $server->set(['worker_num' => (int) $argv[3]]);
    }
    // bench/run starts the clients once every worker has said this: clients
    // that connect earlier all queue up for the first worker that accepts.
    $server->on('workerStart', function (Swoole\WebSocket\Server $server, int $workerId) {
        echo "worker $workerId of {$server->stats()['worker_num']} ready\n";
    });
    return $server;
}

function usage(string $script): never
{
    fwrite(STDERR, "usage: $script [port] [base|process] [worker_num]\n");
    exit(2);
}
