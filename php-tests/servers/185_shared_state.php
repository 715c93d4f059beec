<?php
// A table, a counter and a lock made before start() and used from the callbacks
// (of every worker, once there are several): each message bumps its client's row
// and the total; "report" answers with what the table and counter hold.
use Swoole\Atomic;
use Swoole\Lock;
use Swoole\Table;

$table = new Table(1024);
$table->column('hits', Table::TYPE_INT);
$table->column('last', Table::TYPE_STRING, 16);
$table->create();
$total = new Atomic(0);
$lock = new Lock(SWOOLE_MUTEX);

$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1]);
$server->set(['worker_num' => 2, 'log_level' => SWOOLE_LOG_WARNING]);
$server->on('message', function ($server, $frame) use ($table, $total, $lock) {
    if ($frame->data === 'report') {
        $rows = [];
        foreach ($table as $key => $row) {
            $rows[$key] = "{$row['hits']} {$row['last']}";
        }
        ksort($rows);
        $server->push($frame->fd, json_encode(['total' => $total->get(), 'count' => count($table), 'rows' => $rows]));
        return;
    }
    [$client] = explode(':', $frame->data);
    $lock->lock();
    $table->incr($client, 'hits');
    $table->set($client, ['last' => $frame->data]);
    $lock->unlock();
    $server->push($frame->fd, (string)$total->add());
});
$server->start();
