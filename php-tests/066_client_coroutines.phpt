--TEST--
client: coroutines on Fibers: clients in go() coroutines run concurrently inside run(), which returns once all are done; Coroutine::getCid()/sleep()/create() and the Co alias; go() outside run() runs until it waits, the rest in the event loop; run() inside run() warns; one client used by two coroutines at once; an exception in a coroutine comes out of run(); run() passes its extra arguments
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

use Swoole\Coroutine;
use Swoole\Coroutine\Http\Client;
use function Swoole\Coroutine\run;

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/062_client_peer.php', [$port]);
$srv->waitForListening($port);

echo "== three clients at once ==\n";
$t0 = microtime(true);
$log = [];
$ret = run(function (int $port, string $tag) use (&$log) {
    echo "run args: $port/$tag, cid ", Coroutine::getCid(), "\n";
    foreach ([1, 2, 3] as $n) {
        $cid = go(function () use ($port, $n, &$log) {
            $cli = new Client('127.0.0.1', $port);
            $cli->set(['timeout' => 5]);
            $cli->upgrade("/c$n");
            Coroutine::sleep(0.3);
            $cli->push("from $n");
            $f = $cli->recv();
            $log[] = "coroutine " . Coroutine::getCid() . " got {$f->data}";
            $cli->close();
        });
        echo "started coroutine $cid\n";
    }
    echo "main coroutine done\n";
}, $port, 'tag');
var_dump($ret);
sort($log);
echo implode("\n", $log), "\n";
$dt = microtime(true) - $t0;
echo $dt < 0.85 ? "concurrent\n" : sprintf("took %.2fs: not concurrent\n", $dt);
var_dump(Coroutine::getCid());

echo "== Co alias, create(), go() outside run() ==\n";
var_dump(Co::getCid());
$order = [];
$id = go(function () use (&$order) {
    Co::create(function () use (&$order) {
        Co::sleep(0.05);
        $order[] = 'inner';
    });
    $order[] = 'outer';
});
var_dump($id, $order);
// As in Swoole: the rest runs in the event loop (here Event::wait(); at the
// latest at the end of the script).
Swoole\Event::wait();
var_dump($order);

echo "== run() inside run() ==\n";
run(function () {
    var_dump(run(function () {
        echo "never\n";
    }));
});

echo "== one client, two coroutines ==\n";
run(function () use ($port) {
    $cli = new Client('127.0.0.1', $port);
    $cli->upgrade('/');
    go(function () use ($cli) {
        var_dump($cli->recv(0.3));
    });
    var_dump($cli->recv(0.1), $cli->errCode, $cli->errMsg);
});

echo "== an exception in a coroutine ==\n";
try {
    run(function () {
        go(function () {
            try {
                Coroutine::sleep(5);
                echo "never\n";
            } finally {
                echo "finally runs\n";
            }
        });
        Coroutine::sleep(0.05);
        throw new RuntimeException('boom');
    });
} catch (RuntimeException $e) {
    echo "caught ", $e->getMessage(), "\n";
}

echo "== not callable ==\n";
try {
    run('no_such_function');
} catch (TypeError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}

var_dump($srv->stop());
?>
--EXPECTF--
== three clients at once ==
run args: %d/tag, cid 1
started coroutine 2
started coroutine 3
started coroutine 4
main coroutine done
bool(true)
coroutine 2 got from 1
coroutine 3 got from 2
coroutine 4 got from 3
concurrent
int(-1)
== Co alias, create(), go() outside run() ==
int(-1)
int(5)
array(1) {
  [0]=>
  string(5) "outer"
}
array(2) {
  [0]=>
  string(5) "outer"
  [1]=>
  string(5) "inner"
}
== run() inside run() ==

Warning: Swoole\Coroutine\run(): eventLoop has already been created, unable to start Swoole\Coroutine\Scheduler in %s on line %d
bool(false)
== one client, two coroutines ==
bool(false)
int(10002)
string(45) "the connection is in use by another coroutine"
bool(false)
== an exception in a coroutine ==
finally runs
caught boom
== not callable ==
TypeError: Argument #1 ($func) must be a valid callback
int(0)
