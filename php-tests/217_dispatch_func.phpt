--TEST--
workers: dispatch_func($server, $fd, $type, $data) runs in the SWOOLE_PROCESS master for every connection event ($type 5 connect, 0 data, 4 close) and picks the worker; an id out of range or an exception drops that event with a warning, and the connection goes on
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/217_dispatch_func.php', [$port]);
$srv->waitForListening($port);
$ws = RawWs::connect($port);
echo ask($ws, 'hello'), "\n";
echo ask($ws, 'w1:hello'), "\n";
$ws->sendText('bad');
$ws->sendText('throw');
echo ask($ws, 'after'), "\n";
$ws->close();
$srv->waitForOutput("close 1 in w0\n");
var_dump($srv->stop());
$out = $srv->stdout() . $srv->stderr();
echo preg_match_all('/^dispatch fd=1 type=(\d) data=("[^"]*") in master: true$/m', $out, $m) ? implode("\n", array_map(fn($t, $d) => "$t $d", $m[1], $m[2])) : 'no dispatch lines', "\n";
echo str_contains($out, 'invalid target worker id[7] returned by dispatch_func') ? "bad id warned\n" : "no warning\n";
echo str_contains($out, 'no worker for this one') ? "exception reported\n" : "no exception\n";
?>
--EXPECT--
hello handled by w0
w1:hello handled by w1
after handled by w0
int(0)
5 ""
0 "hello"
0 "w1:hello"
0 "bad"
0 "throw"
0 "after"
4 ""
bad id warned
exception reported
