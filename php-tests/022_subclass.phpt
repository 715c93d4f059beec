--TEST--
foundation: a userland subclass of Swoole\WebSocket\Server (parent::__construct, $this->on('message', [$this, 'onMessage'])) works, and callbacks receive the subclass instance
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/022_subclass.php', [$port]);
$srv->waitForListening($port);

$r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--send', 'hello', '--send', 'Mixed Case 1'], 20);
echo $r['stdout'];
var_dump($r['code']);

$srv->waitForOutput("close 1: ");
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
open: status=101 extensions=- subprotocol=-
recv: text HELLO
recv: text MIXED CASE 1
closed: code=1000 reason=
int(0)
int(0)
bool(true)
bool(true)
open 1: MyServer, instanceof MyServer: true, same object: true
close 1: MyServer, same object: true
after start
