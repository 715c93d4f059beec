<?php
// argv: port, pid file, log file. Runs detached (daemonize) with two workers.
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->set(['daemonize' => true, 'pid_file' => $argv[2], 'log_file' => $argv[3], 'worker_num' => 2]);
$server->on('workerStart', function ($server, $id) {
    echo "workerstart $id master={$server->master_pid}\n";
});
$server->on('message', function ($server, $frame) {
    $server->push($frame->fd, "echo {$frame->data} from " . getmypid());
});
$server->start();
