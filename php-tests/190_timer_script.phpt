--TEST--
reactor: Swoole\Timer in a plain script: tick (timer id first, extra params), after, clear, clearAll, exists, info, list, stats, the swoole_timer_* functions, Swoole's warnings and TypeErrors, callbacks in coroutines, an exception in a timer callback reported while the rest goes on, and the script waiting for its timers at its end
--FILE--
<?php
use Swoole\Timer;

$log = [];
$t0 = microtime(true);

$tick = Timer::tick(20, function (int $id, string $a, int $b) use (&$log, &$tick) {
    static $n = 0;
    $n++;
    $log[] = "tick#$n id-ok=" . (int)($id === $tick) . " args=$a,$b cid>0=" . (int)(Co::getCid() > 0);
    if ($n === 3) {
        var_dump(Timer::clear($id), Timer::clear($id), Timer::exists($id));
    }
}, 'a', 7);
var_dump(is_int($tick), Timer::exists($tick));
$info = Timer::info($tick);
ksort($info);
echo implode(',', array_keys($info)), "\n";
var_dump($info['interval'], $info['exec_count'], $info['removed'], Timer::info(987654));

$after = swoole_timer_after(5, function (...$args) use (&$log) {
    $log[] = 'after args=' . json_encode($args);
}, 'x', ['y' => 1]);
$never = Timer::after(10, function () use (&$log) { $log[] = 'never'; });
var_dump(swoole_timer_clear($never), swoole_timer_exists($never));

$ids = iterator_to_array(Timer::list());
var_dump(get_class(Timer::list()), $ids === [$tick, $after], swoole_timer_list() instanceof ArrayIterator);
$stats = Timer::stats();
var_dump($stats['initialized'], $stats['num']);

echo "== bad input ==\n";
var_dump(Timer::tick(0, fn() => 1));
var_dump(swoole_timer_after(-5, fn() => 1));
try {
    Timer::tick(10, 'no_such_function');
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    Timer::after(10, 42);
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(Timer::clear(0), Timer::exists(-1));

echo "== an exception in a timer callback ==\n";
Timer::after(30, function () {
    throw new RuntimeException('boom in timer');
});
Timer::after(60, function () use (&$log) {
    $log[] = 'after the exception';
});

echo "== clearAll ==\n";
$a = Timer::tick(1000, fn() => 1);
$b = Timer::tick(1000, fn() => 1);
Timer::after(80, function () use ($a, $b, &$log) {
    $log[] = 'before clearAll: ' . (int)(Timer::exists($a) && Timer::exists($b));
    Timer::clearAll();
    $log[] = 'after clearAll: ' . count(Timer::list());
});

// The loop runs at the end of the script (as Swoole's does) until no timer
// is left; this shutdown function was registered after the loop's own.
register_shutdown_function(function () use (&$log, $t0) {
    echo implode("\n", $log), "\n";
    $dt = microtime(true) - $t0;
    echo $dt < 0.9 ? "loop ended when no timer was left\n" : "took too long: $dt\n";
});
echo "end of script\n";
?>
--EXPECTF--
bool(true)
bool(true)
exec_count,exec_msec,interval,removed,round
int(20)
int(0)
bool(false)
NULL
bool(true)
bool(false)
string(21) "Swoole\Timer\Iterator"
bool(true)
bool(true)
bool(true)
int(2)
== bad input ==

Warning: Swoole\Timer::tick(): Timer must be greater than or equal to 1 in %s on line %d
bool(false)

Warning: swoole_timer_after(): Timer must be greater than or equal to 1 in %s on line %d
bool(false)
TypeError: Swoole\Timer::tick(): Argument #2 ($callback) must be a valid callback, function "no_such_function" not found or invalid function name
TypeError: Swoole\Timer::after(): Argument #2 ($callback) must be a valid callback, no array or string given
bool(false)
bool(false)
== an exception in a timer callback ==
== clearAll ==
end of script

Fatal error: Uncaught RuntimeException: boom in timer in %s:%d
Stack trace:
#0 [internal function]: {closure}()
%A  thrown in %s on line %d
bool(true)
bool(false)
bool(false)
after args=["x",{"y":1}]
tick#1 id-ok=1 args=a,7 cid>0=1
tick#2 id-ok=1 args=a,7 cid>0=1
tick#3 id-ok=1 args=a,7 cid>0=1
after the exception
before clearAll: 1
after clearAll: 0
loop ended when no timer was left
