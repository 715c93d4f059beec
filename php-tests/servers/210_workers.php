<?php
// A multi-worker server driven by its clients, for the worker-process tests.
//   argv: port, mode (base|process), worker_num, [settings as JSON]
// Messages (each answered to the sender unless said otherwise):
//   who               "w<worker_id> p<pid> fd<fd>"
//   all:<text>        push "<text>" to every connection of the server (any worker's)
//   to:<fd>:<text>    push "<text>" to <fd>; answers "pushed <bool>"
//   info:<fd>         "exist=<b> established=<b> port=<remote_port|none>"
//   count             number of connections in $server->connections and getClientList
//   pipe:<dst>:<fd>   sendMessage("<fd>") to worker <dst>; its onPipeMessage pushes to <fd>
//   exit:<code>       exit(<code>) in this worker
//   kill              SIGKILL this worker
//   reload            $server->reload()
//   stop              $server->stop()
//   stats             json of a few stats() keys
//   anything else     "echo <data> w<worker_id> p<pid>"
$mode = ($argv[2] ?? 'base') === 'process' ? SWOOLE_PROCESS : SWOOLE_BASE;
$server = new Swoole\WebSocket\Server('127.0.0.1', (int)$argv[1], $mode);
$settings = ['worker_num' => (int)($argv[3] ?? 2)] + json_decode($argv[4] ?? '{}', true);
$server->set($settings);

$server->on('start', function ($server) {
    // One write per line: several processes share this output.
    echo 'start master=' . ($server->master_pid === getmypid() ? 'self' : 'other') . "\n";
});
$server->on('managerStart', function ($server) {
    echo "managerstart\n";
});
$server->on('workerStart', function ($server, $id) {
    $same = $server->worker_id === $id && $server->getWorkerId() === $id && $server->worker_pid === getmypid();
    echo "workerstart $id pid=" . getmypid() . ' consistent=' . json_encode($same) . "\n";
});
$server->on('workerStop', function ($server, $id) {
    echo "workerstop $id\n";
});
$server->on('workerError', function ($server, $id, $pid, $code, $signal) {
    echo "workererror $id pid=$pid code=$code signal=$signal\n";
});
$server->on('beforeReload', function ($server) {
    echo "beforereload\n";
});
$server->on('afterReload', function ($server) {
    echo "afterreload\n";
});
$server->on('pipeMessage', function ($server, $src, $message) {
    echo "pipe from $src in {$server->worker_id}\n";
    $server->push((int)$message, "pipe from $src to {$server->worker_id}");
});
$server->on('open', function ($server, $request) {
    echo "open {$request->fd}\n";
});
$server->on('message', function ($server, $frame) {
    $d = $frame->data;
    $me = "w{$server->worker_id} p" . getmypid();
    if ($d === 'who') {
        $server->push($frame->fd, "$me fd{$frame->fd}");
    } elseif (str_starts_with($d, 'all:')) {
        $n = 0;
        foreach ($server->connections as $fd) {
            $n += $server->push($fd, substr($d, 4)) ? 1 : 0;
        }
        echo "broadcast reached $n\n";
    } elseif (str_starts_with($d, 'to:')) {
        [, $fd, $text] = explode(':', $d, 3);
        $ok = $server->push((int)$fd, $text);
        $server->push($frame->fd, 'pushed ' . json_encode($ok));
    } elseif (str_starts_with($d, 'info:')) {
        $fd = (int)substr($d, 5);
        $info = $server->getClientInfo($fd);
        $server->push($frame->fd, sprintf('exist=%s established=%s port=%s',
            json_encode($server->exist($fd)), json_encode($server->isEstablished($fd)),
            $info ? $info['remote_port'] : 'none'));
    } elseif ($d === 'count') {
        $server->push($frame->fd, count(iterator_to_array($server->connections)) . ' ' . count($server->getClientList(0, 100)));
    } elseif (str_starts_with($d, 'pipe:')) {
        [, $dst, $fd] = explode(':', $d, 3);
        $server->push($frame->fd, 'sent ' . json_encode($server->sendMessage($fd, (int)$dst)));
    } elseif (str_starts_with($d, 'exit:')) {
        exit((int)substr($d, 5));
    } elseif ($d === 'kill') {
        posix_kill(getmypid(), SIGKILL);
    } elseif ($d === 'reload') {
        $server->push($frame->fd, 'reload ' . json_encode($server->reload()));
    } elseif ($d === 'stop') {
        $server->push($frame->fd, 'stop ' . json_encode($server->stop()));
    } elseif ($d === 'stats') {
        $s = $server->stats();
        $server->push($frame->fd, "worker_num={$s['worker_num']} connection_num={$s['connection_num']}");
    } else {
        $server->push($frame->fd, "echo $d $me");
    }
});
$server->on('close', function ($server, $fd, $reactorId) {
    echo "close $fd w{$server->worker_id}\n";
});
$server->on('shutdown', function ($server) {
    echo "shutdown\n";
});
$server->start();
echo "after start\n";
