<?php
// A Swoole\Table and a Swoole\Atomic made before start(), used by every worker.
//   set:<key>:<value>  writes the row in this worker; get:<key> reads it in this one.
$mode = ($argv[2] ?? 'base') === 'process' ? SWOOLE_PROCESS : SWOOLE_BASE;
$table = new Swoole\Table(1024);
$table->column('value', Swoole\Table::TYPE_STRING, 64);
$table->column('worker', Swoole\Table::TYPE_INT);
$table->create();
$hits = new Swoole\Atomic(0);

$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1], $mode);
$server->set(['worker_num' => 2]);
$server->on('message', function ($server, $frame) use ($table, $hits) {
    $n = $hits->add(1);
    $parts = explode(':', $frame->data, 3);
    if ($parts[0] === 'set') {
        $table->set($parts[1], ['value' => $parts[2], 'worker' => $server->worker_id]);
        $server->push($frame->fd, "set in w{$server->worker_id}");
    } elseif ($parts[0] === 'get') {
        $row = $table->get($parts[1]);
        $server->push($frame->fd, "w{$server->worker_id} reads {$row['value']} written by w{$row['worker']}, hits=$n");
    } else {
        $server->push($frame->fd, "w{$server->worker_id} p" . getmypid() . " fd{$frame->fd}");
    }
});
$server->start();
