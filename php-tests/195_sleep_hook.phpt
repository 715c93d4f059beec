--TEST--
reactor: the SLEEP hook: Runtime::enableCoroutine/setHookFlags/getHookFlags; hooked sleep, usleep, time_nanosleep and time_sleep_until yield inside coroutines (PHP's own results), behave as PHP's own outside coroutines and for bad arguments (same errors and warnings); the hook_flags server setting makes usleep() in onMessage let 10 clients wait at once
--FILE--
<?php
use function Swoole\Coroutine\run;

echo "== hooks off ==\n";
var_dump(Swoole\Runtime::getHookFlags());
$t = microtime(true);
run(function () {
    go(function () { usleep(100000); });
    go(function () { usleep(100000); });
});
$dt = microtime(true) - $t;
echo $dt >= 0.19 ? "usleep blocked: one after the other\n" : "too fast: $dt\n";

echo "== SLEEP hooked ==\n";
var_dump(Swoole\Runtime::enableCoroutine(SWOOLE_HOOK_SLEEP), Swoole\Runtime::getHookFlags() === SWOOLE_HOOK_SLEEP);
$order = [];
$t = microtime(true);
run(function () use (&$order) {
    go(function () use (&$order) { $order[] = 'a: ' . json_encode(usleep(100000)); });
    go(function () use (&$order) { $order[] = 'b: ' . json_encode(sleep(0)); });
    go(function () use (&$order) { $order[] = 'c: ' . json_encode(time_nanosleep(0, 100000000)); });
    go(function () use (&$order) { $order[] = 'd: ' . json_encode(time_sleep_until(microtime(true) + 0.1)); });
    $order[] = 'main';
});
$dt = microtime(true) - $t;
echo implode("\n", $order), "\n";
echo $dt < 0.19 ? "hooked sleeps overlapped\n" : "not concurrent: $dt\n";

echo "== outside coroutines: PHP's own ==\n";
$t = microtime(true);
var_dump(usleep(20000), sleep(0), time_nanosleep(0, 1000));
echo microtime(true) - $t >= 0.02 ? "blocked\n" : "did not sleep\n";
try {
    sleep(-1);
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
run(function () {
    try {
        usleep(-5);
    } catch (ValueError $e) {
        echo 'in a coroutine too: ', $e->getMessage(), "\n";
    }
    try {
        time_nanosleep(0, -1);
    } catch (ValueError $e) {
        echo 'in a coroutine too: ', $e->getMessage(), "\n";
    }
    var_dump(time_sleep_until(1.0));
});

echo "== setHookFlags(0) ==\n";
var_dump(Swoole\Runtime::setHookFlags(0), Swoole\Runtime::getHookFlags());
$t = microtime(true);
run(function () {
    go(function () { usleep(50000); });
    go(function () { usleep(50000); });
});
echo microtime(true) - $t >= 0.095 ? "blocking again\n" : "still hooked\n";
var_dump(Swoole\Runtime::enableCoroutine(true), Swoole\Runtime::getHookFlags() === SWOOLE_HOOK_ALL, Swoole\Runtime::enableCoroutine(false), Swoole\Runtime::getHookFlags());

echo "== hook_flags in a server ==\n";
require __DIR__ . '/lib/harness.php';
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/195_hooked_server.php', [$port]);
$srv->waitForListening($port);
$clients = [];
for ($i = 0; $i < 10; $i++) {
    $clients[] = RawWs::connect($port);
}
foreach ($clients as $c) {
    $c->sendText('x');
}
$answers = [];
foreach ($clients as $c) {
    $answers[] = $c->recvFrame(10.0)['payload'] ?? 'nothing';
}
echo implode("\n", array_unique($answers)), "\n";
$clients = [];
var_dump($srv->stop());
?>
--EXPECTF--
== hooks off ==
int(0)
usleep blocked: one after the other
== SLEEP hooked ==
bool(true)
bool(true)
main
b: 0
a: null
c: true
d: true
hooked sleeps overlapped
== outside coroutines: PHP's own ==
NULL
int(0)
bool(true)
blocked
ValueError: sleep(): Argument #1 ($seconds) must be greater than or equal to 0
in a coroutine too: usleep(): Argument #1 ($microseconds) must be greater than or equal to 0
in a coroutine too: time_nanosleep(): Argument #2 ($nanoseconds) must be greater than or equal to 0

Warning: time_sleep_until(): Argument #1 ($timestamp) must be greater than or equal to the current time in %s on line %d
bool(false)
== setHookFlags(0) ==
bool(true)
int(0)
blocking again
bool(true)
bool(true)
bool(true)
int(0)
== hook_flags in a server ==
slept peak=10
int(0)
