--TEST--
reactor: the coroutine API: Swoole\Error outside coroutines, Channel (chan alias, capacity, push/pop timeouts, errCode, stats, close waking a waiter), Co::yield/resume, Co::cancel, Co::join, getPcid, getContext, Co::defer and defer() in LIFO order, list, exists, stats keys, WaitGroup, Barrier, System::sleep, and Swoole's deadlock report for a coroutine waiting on a channel nobody writes
--FILE--
<?php
use Swoole\Coroutine;
use Swoole\Coroutine\Channel;
use function Swoole\Coroutine\run;

echo "== outside coroutines ==\n";
var_dump(Co::getCid(), Co::getPcid(), Co::getContext(), Co::exists(1));
try {
    (new Channel())->pop();
} catch (Swoole\Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    Co::defer(fn() => 1);
} catch (Swoole\Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

run(function () {
    echo "== channel ==\n";
    $ch = new chan(2);
    var_dump(get_class($ch), $ch->capacity, $ch->isEmpty(), $ch->push('a'), $ch->push(['b']), $ch->isFull(), $ch->length());
    var_dump($ch->push('c', 0.05), $ch->errCode === SWOOLE_CHANNEL_TIMEOUT);
    var_dump($ch->pop(), $ch->pop(), $ch->pop(0.05), $ch->errCode);
    $order = [];
    go(function () use ($ch, &$order) {
        $order[] = 'consumer waits';
        $order[] = 'consumer got ' . $ch->pop();
        $order[] = 'consumer got ' . json_encode($ch->pop());
    });
    $order[] = 'producer pushes';
    $ch->push('x');
    var_dump($ch->stats());
    $ch->close();
    Co::sleep(0.01);
    var_dump($order, $ch->errCode === SWOOLE_CHANNEL_CLOSED, $ch->push('late'), $ch->close());

    echo "== yield / resume, cancel ==\n";
    $cid = go(function () {
        echo "yielding in ", Co::getCid(), "\n";
        var_dump(Co::yield());
        echo "resumed\n";
    });
    var_dump(Co::resume(9999));
    echo "resuming\n";
    var_dump(Co::resume($cid));
    $sleeper = go(function () {
        var_dump(Co::sleep(10), Co::isCanceled());
    });
    var_dump(Co::cancel($sleeper), Co::cancel(Co::getCid()));
    Co::sleep(0.001);

    echo "== ids, context, defer, stats ==\n";
    $main = Co::getCid();
    go(function () use ($main) {
        var_dump(Co::getPcid() === $main, Co::getPcid($main));
        $ctx = Co::getContext();
        $ctx['k'] = 'v';
        var_dump(get_class($ctx), Co::getContext()['k'], Co::getElapsed() >= 0);
        defer(function () { echo "defer 1 runs last\n"; });
        Co::defer(function () { echo "defer 2 runs first\n"; });
        Co::sleep(0.01);
        echo "coroutine body done\n";
    });
    $list = iterator_to_array(Co::list());
    var_dump(get_class(Co::list()), in_array($main, $list), Co::exists($main));
    $s = Co::stats();
    echo implode(',', array_keys($s)), "\n";
    var_dump($s['coroutine_num'] >= 2, $s['coroutine_peak_num'] >= $s['coroutine_num']);
    Co::sleep(0.02);

    echo "== WaitGroup, Barrier ==\n";
    $wg = new Swoole\Coroutine\WaitGroup();
    $b = Swoole\Coroutine\Barrier::make();
    $done = [];
    foreach ([3, 1, 2] as $n) {
        $wg->add();
        go(function () use ($wg, $b, $n, &$done) {
            Co::sleep($n / 100);
            $done[] = $n;
            $wg->done();
        });
    }
    var_dump($wg->count(), $wg->wait(1), $done);
    $got = [];
    foreach ([2, 1] as $n) {
        go(function () use ($b, $n, &$got) {
            Co::sleep($n / 100);
            $got[] = $n;
        });
    }
    Swoole\Coroutine\Barrier::wait($b);
    var_dump($got, $b);
    var_dump(Coroutine\System::sleep(0.001));

    echo "== join ==\n";
    $x = go(function () { Co::sleep(0.05); echo "x done\n"; });
    $y = go(function () { Co::sleep(0.02); echo "y done\n"; });
    var_dump(Co::join([$x, $y]));
    $z = go(function () { Co::sleep(0.2); echo "z done\n"; });
    var_dump(Co::join([$z], 0.05), Co::exists($z), Co::join([987654]));
});

echo "== deadlock ==\n";
run(function () {
    go(function () {
        (new Channel())->pop();
        echo "never\n";
    });
});
echo "after run\n";

?>
--EXPECTF--
== outside coroutines ==
int(-1)
bool(false)
NULL
bool(false)
Swoole\Error: API must be called in the coroutine
Swoole\Error: API must be called in the coroutine
== channel ==
string(24) "Swoole\Coroutine\Channel"
int(2)
bool(true)
bool(true)
bool(true)
bool(true)
int(2)
bool(false)
bool(true)
string(1) "a"
array(1) {
  [0]=>
  string(1) "b"
}
bool(false)
int(-1)
array(3) {
  ["consumer_num"]=>
  int(0)
  ["producer_num"]=>
  int(0)
  ["queue_num"]=>
  int(1)
}
array(4) {
  [0]=>
  string(14) "consumer waits"
  [1]=>
  string(15) "producer pushes"
  [2]=>
  string(14) "consumer got x"
  [3]=>
  string(18) "consumer got false"
}
bool(true)
bool(false)
bool(false)
== yield / resume, cancel ==
yielding in %d

Warning: Swoole\Coroutine::resume(): you can not resume the coroutine which is in IO operation or non-existent in %s on line %d
bool(false)
resuming
bool(true)

Warning: Swoole\Coroutine::cancel(): can not cancel self in %s on line %d
bool(true)
bool(false)
bool(true)
resumed
bool(false)
bool(true)
== ids, context, defer, stats ==
bool(true)
int(-1)
string(24) "Swoole\Coroutine\Context"
string(1) "v"
bool(true)
string(25) "Swoole\Coroutine\Iterator"
bool(true)
bool(true)
event_num,signal_listener_num,aio_task_num,aio_worker_num,aio_queue_size,c_stack_size,coroutine_num,coroutine_peak_num,coroutine_last_cid
bool(true)
bool(true)
coroutine body done
defer 2 runs first
defer 1 runs last
== WaitGroup, Barrier ==
int(3)
bool(true)
array(3) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
array(2) {
  [0]=>
  int(1)
  [1]=>
  int(2)
}
NULL
bool(true)
== join ==
y done
x done
bool(true)
bool(false)
bool(true)
bool(true)
z done
== deadlock ==

===================================================================
 [FATAL ERROR]: all coroutines (count: 1) are asleep - deadlock!
===================================================================

 [Coroutine-%d]
--------------------------------------------------------------------
#0 %s(%d): Swoole\Coroutine\Channel->pop()
#1 [internal function]: {closure}()
after run
