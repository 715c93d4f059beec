--TEST--
reactor: timers in a server: a tick started in onWorkerStart pushes to connected clients (its callback in a coroutine), the server's loop wakes for timer deadlines with no client traffic, Swoole 4's $server->after()/clearTimer(), an exception in a timer callback is reported and the server goes on, timers end with the server
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/191_timer_server.php', [$port]);
$srv->waitForListening($port);

$c = RawWs::connect($port);
// Nothing is sent: the pushes come from the tick alone.
$got = [];
for ($i = 0; $i < 3; $i++) {
    $got[] = $c->recvFrame(2.0)['payload'] ?? 'nothing';
}
echo implode("\n", array_map(fn($s) => preg_replace('/^tick \d+/', 'tick N', $s), $got)), "\n";
$n = array_map(fn($s) => (int)explode(' ', $s)[1], $got);
echo "consecutive: ", json_encode($n[1] === $n[0] + 1 && $n[2] === $n[1] + 1), "\n";

/** Next frame that is not a tick. */
function next_other(RawWs $c): string
{
    for ($i = 0; $i < 200; $i++) {
        $f = $c->recvFrame(2.0);
        if ($f === null) {
            return 'nothing';
        }
        if (!str_starts_with($f['payload'], 'tick ')) {
            return $f['payload'];
        }
    }
    return 'only ticks';
}

$c->sendText('after');
echo next_other($c), "\n";

$c->sendText('throw');
echo next_other($c), "\n";
$srv->waitForOutput('thrown in');
$out = $srv->stdout();
echo "reported: ", str_contains($out, 'Uncaught LogicException: thrown in a timer') ? 'yes' : 'no', "\n";

$c->sendText('count');
echo next_other($c), "\n";
$c->sendText('stop');
echo next_other($c), "\n";
// No tick arrives after the clear.
try {
    $f = $c->recvFrame(0.3);
    echo "after clear: ", $f === null ? 'closed' : $f['payload'], "\n";
} catch (RuntimeException $e) {
    echo "after clear: silence\n";
}

var_dump($srv->stop());
$lines = array_values(array_filter(explode("\n", $srv->stdout()), fn($l) => !preg_match('/^(Stack trace:|#\d|  thrown|PHP |Fatal error|$)/', $l)));
echo implode("\n", $lines), "\n";
?>
--EXPECT--
tick N cid>0=1
tick N cid>0=1
tick N cid>0=1
consecutive: true
after fired with param
still ticking after the exception
reported: yes
timers 1
cleared [true,false]
after clear: silence
int(0)
worker start, tick armed
worker stop
after start, timers left: 0
