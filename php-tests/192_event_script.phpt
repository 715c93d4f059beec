--TEST--
reactor: Swoole\Event in a plain script: defer, cycle, wait until the loop is empty, add() of a PHP stream with read and write callbacks (level-triggered, the same stream passed back), isset, set, del, Swoole's warnings for bad input, exit() ending the loop, dispatch()
--FILE--
<?php
use Swoole\Event;

echo "== defer and cycle ==\n";
Event::defer(function () { echo "deferred 1\n"; });
swoole_event_defer(function () { echo "deferred 2\n"; });
$rounds = 0;
Event::cycle(function () use (&$rounds) {
    $rounds++;
});
Swoole\Timer::after(30, function () {
    echo "timer fired\n";
});
Event::wait();
echo "cycle ran: ", $rounds > 0 ? 'yes' : 'no', "\n";
var_dump(Event::cycle(null), Event::cycle(null));

echo "== add with read and write callbacks ==\n";
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
stream_set_blocking($a, false);
$fd = Event::add($a, function ($s) use ($a) {
    $data = fread($s, 100);
    echo "read: ", json_encode($data), " same stream: ", json_encode($s === $a), "\n";
    if ($data === '' || str_contains($data, 'bye')) {
        var_dump(Event::del($s), Event::isset($s));
    }
});
var_dump(is_int($fd), Event::isset($a), Event::isset($a, SWOOLE_EVENT_WRITE));
var_dump(Event::add($a, fn() => 1));
Swoole\Timer::after(20, function () use ($b) { fwrite($b, "hello"); });
Swoole\Timer::after(60, function () use ($b) { fwrite($b, "bye"); });
Event::wait();
echo "loop ended once the stream was removed\n";

$written = 0;
Event::add($b, null, function ($s) use (&$written) {
    $written++;
    fwrite($s, "w$written;");
    if ($written === 3) {
        Event::del($s);
    }
}, SWOOLE_EVENT_WRITE);
Event::wait();
echo "writes: $written, peer got: ", fread($a, 100), "\n";

echo "== set ==\n";
Event::add($a, function ($s) { echo "old read\n"; Event::del($s); });
var_dump(Event::set($a, function ($s) { echo "new read: ", fread($s, 10), "\n"; Event::del($s); }));
fwrite($b, "x");
Event::wait();

echo "== bad input ==\n";
var_dump(Event::del($a));
var_dump(Event::add(fopen('php://memory', 'r'), fn() => 1));
var_dump(Event::add($a, null, null));

echo "== exit ==\n";
$n = 0;
Swoole\Timer::tick(5, function () use (&$n) {
    if (++$n === 3) {
        Event::exit();
    }
});
Event::wait();
echo "exit after $n ticks, timers kept: ", count(Swoole\Timer::list()), "\n";
Swoole\Timer::clearAll();

echo "== dispatch ==\n";
Event::defer(function () { echo "dispatched defer\n"; });
var_dump(Event::dispatch());

?>
--EXPECTF--
== defer and cycle ==
deferred 1
deferred 2
timer fired
cycle ran: yes

Warning: Swoole\Event::cycle(): cycle callback is not set in %s on line %d
bool(true)
bool(false)
== add with read and write callbacks ==
bool(true)
bool(true)
bool(false)

Warning: Swoole\Event::add(): socket#%d has already been added to the reactor in %s on line %d
bool(false)
read: "hello" same stream: true
read: "bye" same stream: true
bool(true)
bool(false)
loop ended once the stream was removed
writes: 3, peer got: w1;w2;w3;
== set ==
bool(true)
new read: x
== bad input ==

Warning: Swoole\Event::del(): socket#%d is not found in the reactor in %s on line %d
bool(false)

Warning: Swoole\Event::add(): unknown fd type in %s on line %d
bool(false)

Warning: Swoole\Event::add(): read callback is not set in %s on line %d
bool(false)
== exit ==
exit after 3 ticks, timers kept: 1
== dispatch ==
dispatched defer
bool(true)

