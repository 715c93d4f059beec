--TEST--
Swoole\Table shared between processes: a row written by a child is read by the parent and the other way round, and four processes writing, incrementing and reading the same rows at once lose no increment and never see a torn row
--SKIPIF--
<?php
if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded');
if (!function_exists('pcntl_fork')) die('skip pcntl is not available');
?>
--FILE--
<?php
use Swoole\Atomic;
use Swoole\Table;

$t = new Table(1024);
$t->column('n', Table::TYPE_INT);
$t->column('text', Table::TYPE_STRING, 32);
$t->column('check', Table::TYPE_STRING, 32);
$t->create();

// 1. A child writes, the parent reads.
$pid = pcntl_fork();
if ($pid === 0) {
    $t->set('from-child', ['n' => getmypid(), 'text' => 'written by the child']);
    exit(0);
}
pcntl_waitpid($pid, $st);
var_dump($t->get('from-child', 'text'), $t->get('from-child', 'n') === $pid);

// 2. The parent writes after the fork, a waiting child reads.
$written = new Atomic(0);
$pid = pcntl_fork();
if ($pid === 0) {
    $written->wait(-1); // until the parent's wakeup()
    $row = $t->get('from-parent');
    $keys = [];
    foreach ($t as $k => $_) {
        $keys[] = $k;
    }
    sort($keys);
    exit($row['text'] === 'written after the fork' && $keys === ['from-child', 'from-parent'] ? 0 : 1);
}
$t->set('from-parent', ['text' => 'written after the fork']);
$written->wakeup();
pcntl_waitpid($pid, $st);
echo "child read the parent's row: exit ", pcntl_wexitstatus($st), "\n";

// 3. Four writers at once on the same 100 rows and one counter.
$ready = new Atomic(0);
$pids = [];
for ($w = 0; $w < 4; $w++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $ready->add();
        while ($ready->get() < 4) {
            // all four start together
        }
        $bad = 0;
        for ($i = 0; $i < 5000; $i++) {
            $t->incr('counter', 'n');
            $k = 'k' . ($i % 100);
            $v = "w$w-$i";
            $t->set($k, ['n' => $i, 'text' => $v, 'check' => md5($v)]);
            $row = $t->get($k);
            if ($row['check'] !== md5($row['text'])) {
                $bad++;
            }
        }
        exit($bad === 0 ? 0 : 1);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $st);
    echo "writer exit ", pcntl_wexitstatus($st), "\n";
}
var_dump($t->get('counter', 'n'), count($t));
$torn = 0;
foreach ($t as $k => $row) {
    if ($k[0] === 'k' && $row['check'] !== md5($row['text'])) {
        $torn++;
    }
}
echo "torn rows: $torn\n";
?>
--EXPECT--
string(20) "written by the child"
bool(true)
child read the parent's row: exit 0
writer exit 0
writer exit 0
writer exit 0
writer exit 0
int(20000)
int(103)
torn rows: 0
