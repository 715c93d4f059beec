--TEST--
Swoole\Lock across processes: a mutex held by one process makes another's LOCK_NB fail (errCode EBUSY), a timed lock time out (ETIMEDOUT) and a plain lock block until the holder unlocks; read locks of an RWLOCK are shared and exclude a writer; SPINLOCK; four processes serialised by one lock
--SKIPIF--
<?php
if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded');
if (!function_exists('pcntl_fork')) die('skip pcntl is not available');
?>
--FILE--
<?php
use Swoole\Atomic;
use Swoole\Lock;
use Swoole\Table;

var_dump(SWOOLE_MUTEX, SWOOLE_RWLOCK, SWOOLE_SPINLOCK, Lock::MUTEX, Lock::RWLOCK, Lock::SPINLOCK);
try {
    new Lock(2);
} catch (Swoole\Exception $e) {
    // Swoole's message, "%d" included; the type is the code
    echo $e->getMessage(), ' ', $e->getCode(), "\n";
}

function child_exit(int $pid): int
{
    pcntl_waitpid($pid, $st);
    return pcntl_wexitstatus($st);
}

// Mutex held by the parent.
$lock = new Lock(SWOOLE_MUTEX);
$step = new Atomic(0);
$released = new Atomic(0);
var_dump($lock->lock(), $lock->errCode);
$pid = pcntl_fork();
if ($pid === 0) {
    $fail = 0;
    if ($lock->lock(LOCK_EX | LOCK_NB) !== false || $lock->errCode !== SOCKET_EBUSY) {
        $fail |= 1;
    }
    $lock->errCode = 0;
    $t0 = microtime(true);
    if ($lock->lock(LOCK_EX, 0.05) !== false || $lock->errCode !== SOCKET_ETIMEDOUT || microtime(true) - $t0 < 0.04) {
        $fail |= 2;
    }
    $step->wakeup();
    // blocks until the parent unlocks, which it does only after setting $released
    if (!$lock->lock() || $released->get() !== 1) {
        $fail |= 4;
    }
    $lock->unlock();
    exit($fail);
}
$step->wait(-1);
$released->set(1);
var_dump($lock->unlock());
echo "mutex child: exit ", child_exit($pid), "\n";

// RWLOCK: readers share, a writer waits.
$rw = new Lock(SWOOLE_RWLOCK);
var_dump($rw->lock(LOCK_SH));
$pid = pcntl_fork();
if ($pid === 0) {
    $shared = $rw->lock(LOCK_SH | LOCK_NB);
    $rw->unlock();
    $exclusive = $rw->lock(LOCK_EX | LOCK_NB);
    exit(($shared && !$exclusive && $rw->errCode === SOCKET_EBUSY) ? 0 : 1);
}
echo "rwlock child: exit ", child_exit($pid), "\n";
var_dump($rw->unlock());

// SPINLOCK
$spin = new Lock(SWOOLE_SPINLOCK);
var_dump($spin->lock());
$pid = pcntl_fork();
if ($pid === 0) {
    exit(!$spin->lock(LOCK_EX | LOCK_NB) && !$spin->lock(LOCK_EX, 0.02) ? 0 : 1);
}
echo "spinlock child: exit ", child_exit($pid), "\n";
var_dump($spin->unlock());

// Four processes doing read-modify-write under one lock lose nothing.
$m = new Lock();
$t = new Table(64);
$t->column('n', Table::TYPE_INT);
$t->create();
$pids = [];
for ($i = 0; $i < 4; $i++) {
    if (($pid = pcntl_fork()) === 0) {
        for ($j = 0; $j < 2000; $j++) {
            $m->lock();
            $t->set('x', ['n' => (int)$t->get('x', 'n') + 1]);
            $m->unlock();
        }
        exit(0);
    }
    $pids[] = $pid;
}
$codes = array_map('child_exit', $pids);
echo "counter children: ", implode(' ', $codes), "\n";
var_dump($t->get('x', 'n'));
?>
--EXPECT--
int(3)
int(1)
int(5)
int(3)
int(1)
int(5)
lock type[%d] is not support 2
bool(true)
int(0)
bool(true)
mutex child: exit 0
bool(true)
rwlock child: exit 0
bool(true)
bool(true)
spinlock child: exit 0
bool(true)
counter children: 0 0 0 0
int(8000)
