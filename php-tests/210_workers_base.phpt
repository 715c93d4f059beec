--TEST--
workers, SWOOLE_BASE: worker_num=4 starts 4 worker processes (ids 0-3, consistent worker_id/getWorkerId/worker_pid); fds are unique server-wide; push, exist, isEstablished, getClientInfo, connections and getClientList work across workers; a broadcast over $server->connections from one worker reaches every client exactly once; SIGTERM stops every worker and start() returns once, in the master
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
[$srv, $port] = start_workers('base', 4);
$clients = clients_on_workers($port, 2);
echo "fds unique: ", json_encode(count($clients) === count(array_unique(array_keys($clients)))), "\n";

// Two clients on different workers.
$fds = array_keys($clients);
$a = $fds[0];
$b = null;
foreach ($fds as $fd) {
    if ($clients[$fd][1]['worker'] !== $clients[$a][1]['worker']) {
        $b = $fd;
        break;
    }
}
[$ca] = $clients[$a];
[$cb] = $clients[$b];
echo ask($ca, "to:$b:hello from a"), "\n";
echo $cb->recvFrame()['payload'], "\n";
echo ask($cb, "to:$a:hello from b"), "\n";
echo $ca->recvFrame()['payload'], "\n";

$info = ask($ca, "info:$b");
$port_b = stream_socket_get_name($cb->socket(), false);
echo $info === "exist=true established=true port=" . substr(strrchr($port_b, ':'), 1) ? "info of the other worker's fd: ok\n" : "info: $info\n";
echo ask($ca, 'info:999999'), "\n";
$n = count($clients);
echo ask($cb, 'count') === "$n $n" ? "connections and getClientList list every worker's clients\n" : "count mismatch\n";
echo ask($ca, 'stats') === "worker_num=4 connection_num=$n" ? "stats: ok\n" : "stats mismatch\n";

// Broadcast from a: every client gets it exactly once (the who reply comes next, nothing in between).
$ca->sendText('all:bcast');
$exactly_once = true;
foreach ($clients as $fd => [$c]) {
    $exactly_once = $exactly_once && $c->recvFrame()['payload'] === 'bcast';
    $exactly_once = $exactly_once && who($c)['fd'] === $fd;
}
echo "broadcast reached every client exactly once: ", json_encode($exactly_once), "\n";
$srv->waitForOutput("broadcast reached $n\n");

var_dump($srv->stop());
$codes = [];
foreach ($clients as [$c]) {
    $f = $c->recvFrame();
    $codes[] = $f['opcode'] === WS_OP_CLOSE ? unpack('n', $f['payload'])[1] : -1;
}
echo "close codes: ", json_encode(array_unique($codes)), "\n";
$out = $srv->stdout();
$starts = worker_starts($out);
ksort($starts);
echo "worker ids: ", json_encode(array_keys($starts)), "\n";
echo "distinct pids: ", count(array_unique(array_merge(...array_values($starts)))), "\n";
echo "workerstop: ", preg_match_all('/^workerstop \d$/m', $out), "\n";
echo "every client's onClose ran: ", json_encode(preg_match_all('/^close \d+ w\d$/m', $out) === $n), "\n";
echo "start: ", substr_count($out, "start master=self\n"), ", shutdown: ", substr_count($out, "shutdown\n"),
    ", after start: ", substr_count($out, "after start\n"), "\n";
?>
--EXPECT--
fds unique: true
pushed true
hello from a
pushed true
hello from b
info of the other worker's fd: ok
exist=false established=false port=none
connections and getClientList list every worker's clients
stats: ok
broadcast reached every client exactly once: true
int(0)
close codes: [1001]
worker ids: [0,1,2,3]
distinct pids: 4
workerstop: 4
every client's onClose ran: true
start: 1, shutdown: 1, after start: 1
