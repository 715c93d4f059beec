--TEST--
Swoole\Atomic and Swoole\Atomic\Long: Swoole's arithmetic (32-bit unsigned wrap, 64-bit signed), cmpset, wait/wakeup, and the same counters shared by forked processes: adds from four processes, cmpset used as a lock between them, a wakeup from another process
--SKIPIF--
<?php
if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded');
if (!function_exists('pcntl_fork')) die('skip pcntl is not available');
?>
--FILE--
<?php
use Swoole\Atomic;
use Swoole\Table;

$a = new Atomic();
var_dump($a->get(), $a->add(), $a->add(9), $a->sub(), $a->sub(10), $a->add(2));
$a->set(-1);
var_dump($a->get(), $a->cmpset(4294967295, 7), $a->cmpset(4294967295, 8), $a->get());
$l = new Atomic\Long(-5);
var_dump($l->add(10), $l->sub(), $l->sub(20), $l->cmpset(-16, PHP_INT_MAX), $l->add(), $l->get());

// A subclass, and calls with bad arguments.
class Doubling extends Atomic
{
    // Optional parameters are nullable in swoole-rs (README: arguments).
    public function add(?int $v = null): int
    {
        return parent::add(($v ?? 1) * 2);
    }
}
$d = new Doubling(1);
var_dump($d->add(3), $d->get(), $d->sub());
try {
    $d->add([]);
} catch (TypeError $e) {
    echo get_class($e), "\n";
}
try {
    $l->get(1);
} catch (ArgumentCountError $e) {
    echo $e->getMessage(), "\n";
}

// wait(): 0 sleeps until a wakeup or the timeout; a wakeup leaves 1 for the next wait.
$w = new Atomic(0);
$t0 = microtime(true);
var_dump($w->wait(0.1));
echo 'waited 0.1 s: ', microtime(true) - $t0 >= 0.09 ? 'yes' : 'no', "\n";
var_dump($w->wakeup(), $w->get(), $w->wait(0.1), $w->get());

function wait_all(array $pids): void
{
    foreach ($pids as $pid) {
        pcntl_waitpid($pid, $st);
        echo 'child exit ', pcntl_wexitstatus($st), "\n";
    }
}

// Four processes add at once.
$n32 = new Atomic(0);
$n64 = new Atomic\Long(0);
$pids = [];
for ($i = 0; $i < 4; $i++) {
    if (($pid = pcntl_fork()) === 0) {
        for ($j = 0; $j < 20000; $j++) {
            $n32->add();
            $n64->sub(3);
        }
        exit(0);
    }
    $pids[] = $pid;
}
wait_all($pids);
var_dump($n32->get(), $n64->get());

// cmpset as a lock guarding a read-modify-write of a table row.
$flag = new Atomic(0);
$t = new Table(64);
$t->column('n', Table::TYPE_INT);
$t->create();
$t->set('x', ['n' => 0]);
$pids = [];
for ($i = 0; $i < 4; $i++) {
    if (($pid = pcntl_fork()) === 0) {
        for ($j = 0; $j < 2000; $j++) {
            while (!$flag->cmpset(0, 1)) {
            }
            $v = $t->get('x', 'n');
            $t->set('x', ['n' => $v + 1]);
            $flag->set(0);
        }
        exit(0);
    }
    $pids[] = $pid;
}
wait_all($pids);
var_dump($t->get('x', 'n'));

// A child sleeping in wait() is woken by the parent.
$ev = new Atomic(0);
$pid = pcntl_fork();
if ($pid === 0) {
    exit($ev->wait(30) ? 0 : 1);
}
$ev->wakeup();
wait_all([$pid]);
var_dump($ev->get());
?>
--EXPECT--
int(0)
int(1)
int(10)
int(9)
int(4294967295)
int(1)
int(4294967295)
bool(true)
bool(false)
int(7)
int(5)
int(4)
int(-16)
bool(true)
int(-9223372036854775808)
int(-9223372036854775808)
int(7)
int(7)
int(6)
TypeError
Swoole\Atomic\Long::get() expects exactly 0 arguments, 1 given
bool(false)
waited 0.1 s: yes
bool(true)
int(1)
bool(true)
int(0)
child exit 0
child exit 0
child exit 0
child exit 0
int(80000)
int(-240000)
child exit 0
child exit 0
child exit 0
child exit 0
int(8000)
child exit 0
int(0)
