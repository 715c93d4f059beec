--TEST--
ecosystem: $server->stats() with Swoole's keys counts connections, closes and requests (handshakes included) server-wide, across the default worker processes
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/121_stats.php', [$port]);
$srv->waitForListening($port);

$gone = RawWs::connect($port);
$gone->close();
$srv->waitForOutput("close 1\n");
$ws = RawWs::connect($port);
$other = RawWs::connect($port);
foreach (['a', 'b'] as $m) {
    $ws->sendText($m);
    $ws->recvFrame();
}
$ws->sendText('stats');
$ws->recvFrame();
$ws->close();
$other->close();
$srv->waitForOutput("close 2\n");
$srv->waitForOutput("close 3\n");
var_dump($srv->stop());
$out = $srv->stdout();
// The two last closes may come in either order.
echo str_replace(["close 2\n", "close 3\n"], '', $out);
?>
--EXPECT--
int(0)
before start: []
close 1
keys: start_time,connection_num,abort_count,accept_count,close_count,worker_num,task_worker_num,user_worker_num,idle_worker_num,dispatch_count,request_count,response_count,total_recv_bytes,total_send_bytes,pipe_packet_msg_id,concurrency,session_round,min_fd,max_fd,worker_request_count,worker_response_count,worker_dispatch_count,worker_concurrency,coroutine_num,coroutine_peek_num
connection_num=2 accept_count=3 close_count=1 request_count=6
start_time_ok=true
