--TEST--
manual API: push/disconnect/ping/connection_info/getClientList/exist/isEstablished with good and bad input, before start() and after close
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/120_api.php', [$port]);
$srv->waitForListening($port);

$ws = RawWs::connect($port);
$srv->waitForOutput("count=1\n");

$ws->sendText('bad');
$srv->waitForOutput("done bad\n");
$ws->sendText('frames');
for ($i = 0; $i < 6; $i++) {
    $f = $ws->recvFrame();
    echo "frame: fin=", (int)$f['fin'], " op=", $f['opcode'], " ", bin2hex($f['payload']), "\n";
}
$ws->sendText('bye');
$f = $ws->recvFrame();
echo "close frame: ", bin2hex($f['payload']), "\n";
$ws->sendFrame(WS_OP_CLOSE, substr($f['payload'], 0, 2));
var_dump($ws->isEof(2.0));
$srv->waitForOutput("close done\n");
var_dump($srv->stop());
// Warnings without their file/line and the blank line PHP puts before them.
echo preg_replace(['/ in \S+ on line \d+/', '/^\n/m'], '', $srv->stdout());
?>
--EXPECTF--
frame: fin=1 op=1 66726f6d206f626a656374
frame: fin=1 op=2 00ff
frame: fin=0 op=1 70617274312d
frame: fin=1 op=0 7061727432
frame: fin=1 op=9 6862
frame: fin=1 op=1 737472696e67206664
close frame: 0fa1676f2061776179
bool(true)
int(0)
before start: 
Warning: Swoole\WebSocket\Server::push(): the server is not running
bool(false)
bool(false)
bool(false)
bool(false)
open 1: exist=true established=true
info keys: websocket_status,server_port,server_fd,socket_fd,socket_type,remote_port,remote_ip,reactor_id,connect_time,last_time,last_recv_time,last_send_time,last_dispatch_time,close_errno,recv_queued_bytes,send_queued_bytes
websocket_status=3 remote_ip=127.0.0.1 same=true
list: [1] count=1
Warning: Swoole\WebSocket\Server::push(): session#9999 does not exists
bool(false)
Warning: Swoole\WebSocket\Server::push(): opcode must be between 0 and 10
bool(false)
Warning: Swoole\WebSocket\Server::push(): opcode must be between 0 and 10
bool(false)
Warning: Swoole\WebSocket\Server::disconnect(): the close code must be 1000 or in the range 4000-4999, 1001 given
bool(false)
Warning: Swoole\WebSocket\Server::disconnect(): the close code must be 1000 or in the range 4000-4999, 3000 given
bool(false)
Warning: Swoole\WebSocket\Server::disconnect(): the max length of close reason is 123
bool(false)
Warning: Swoole\WebSocket\Server::disconnect(): the connected client of connection[9999] is not a websocket client or closed
bool(false)
Warning: Swoole\WebSocket\Server::ping(): the max length of ping data is 125
bool(false)
bool(false)
done bad
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
close 1: exist=false
Warning: Swoole\WebSocket\Server::push(): the connected client of connection[1] is not a websocket client or closed
bool(false)
close done
bool(true)
Warning: Swoole\WebSocket\Server::push(): the connected client of connection[1] is not a websocket client or closed
bool(false)
