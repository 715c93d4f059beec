<?php
// SWOOLE_PROCESS with a dispatch_func: "w1:..." goes to worker 1, "bad" to worker 7
// (no such worker), "throw" makes it throw; everything else goes to worker 0.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1], SWOOLE_PROCESS);
$server->set([
    'worker_num' => 2,
    'dispatch_func' => function ($server, $fd, $type, $data) {
        echo "dispatch fd=$fd type=$type data=" . json_encode($data) . ' in master: ' . json_encode($server->worker_id === -1) . "\n";
        if ($data === 'throw') {
            throw new RuntimeException('no worker for this one');
        }
        return $data === 'bad' ? 7 : (str_starts_with($data, 'w1:') ? 1 : 0);
    },
]);
$server->on('message', function ($server, $frame) {
    $server->push($frame->fd, "{$frame->data} handled by w{$server->worker_id}");
});
$server->on('close', function ($server, $fd) {
    echo "close $fd in w{$server->worker_id}\n";
});
$server->start();
