--TEST--
hostile input: a client that never reads while the server pushes to it: with buffer_output_size 1 MiB, push() starts returning false with a warning once about 1 MiB is queued (plus what the sockets hold), instead of queuing without bound; another client is served normally meanwhile, and the stalled client's hang-up runs onClose
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/150_pusher.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');

// fd 2 asks for the flood and then reads nothing.
$stalled = RawWs::connect($port);
$srv->waitForOutput("open 2\n");
$stalled->sendText('flood');
$srv->waitForOutput("flood 2:");
$srv->waitForOutput("then ");
preg_match('/flood 2: (\d+) accepted, then (\w+)/', $srv->stdout(), $m);
$accepted = (int)$m[1];
echo "push returned false: ", $m[2] === 'false' ? 'yes' : 'NO (never, after 1000 pushes of 64 KiB)', "\n";
// At least the 1 MiB buffer (15 pushes of 64 KiB + header fit); loopback socket buffers hold some MiB more, but
// nowhere near the 1000 pushes (64 MB) offered.
echo "accepted before false: ", $accepted >= 15 && $accepted < 400 ? "between 15 and 400" : "$accepted (outside 15..400)", "\n";
echo "warning: ", preg_match('/Warning: Swoole\\\\WebSocket\\\\Server::push\(\): .*output buffer overflow/', $srv->stdout()) ? 'output buffer overflow' : "missing in:\n" . $srv->stdout(), "\n";

// The other client is served while fd 2's buffer is full.
$healthy->check('during the flood');
$healthy->check('during the flood, again');
echo "healthy client served during the flood\n";

// The stalled client hangs up with megabytes unread.
unset($stalled);
$srv->waitForOutput("close 2\n");
$healthy->check('after the stalled client left');

echo "new client: ", server_alive($srv, $port, 3), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
push returned false: yes
accepted before false: between 15 and 400
warning: output buffer overflow
healthy client served during the flood
new client: alive
int(0)
