<?php
/**
 * Shared-memory micro-benchmark: Swoole\Table and Swoole\Atomic from PHP, and
 * what a 1,000,000-row table costs. Runs under swoole-rs or under Swoole:
 *
 *   php -d extension=target/release/libswoole_rs.so bench/shm.php [OPS]
 *   php -d extension=swoole.so bench/shm.php [OPS]
 *
 * Prints one line per measurement (calls per CPU second: best of 5 rounds of OPS
 * calls, default 1,000,000) and the memory of a table with one int, one float and one 32-byte
 * string column, sized 1,000,000: the mapping create() adds (VmSize), the shared
 * pages it touches at once (RssShmem), and after filling it until set() refuses.
 */

declare(strict_types=1);

use Swoole\Atomic;
use Swoole\Table;

$ops = (int)($argv[1] ?? 1_000_000);
$impl = extension_loaded('swoole_rs') ? 'swoole-rs' : (extension_loaded('swoole') ? 'swoole ' . SWOOLE_VERSION : null);
if ($impl === null) {
    fwrite(STDERR, "load swoole_rs or swoole: php -d extension=... bench/shm.php\n");
    exit(1);
}
printf("%s, PHP %s, %s ops per round\n", $impl, PHP_VERSION, number_format($ops));

/** CPU seconds this process has used (user + system): steadier than the wall clock on a busy machine. */
function cpu(): float
{
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6 + $r['ru_stime.tv_sec'] + $r['ru_stime.tv_usec'] / 1e6;
}

/** Calls per CPU second: the best of 5 rounds of $ops calls. */
function best(int $ops, callable $f): float
{
    $best = INF;
    for ($r = 0; $r < 5; $r++) {
        $t = cpu();
        $f($ops);
        $best = min($best, max(cpu() - $t, 1e-6));
    }
    return $ops / $best;
}

function report(string $what, float $rate): void
{
    printf("%-36s %12s ops/s\n", $what, number_format($rate));
}

$t = new Table(65536);
$t->column('id', Table::TYPE_INT);
$t->column('score', Table::TYPE_FLOAT);
$t->column('name', Table::TYPE_STRING, 32);
$t->create();
$keys = [];
for ($i = 0; $i < 1024; $i++) {
    $keys[] = "user-$i";
}
$row = ['id' => 1, 'score' => 2.5, 'name' => 'a name of some length'];

report('Table::set (3 columns)', best($ops, function (int $n) use ($t, $keys, $row) {
    for ($i = 0; $i < $n; $i++) {
        $t->set($keys[$i & 1023], $row);
    }
}));
report('Table::get (whole row)', best($ops, function (int $n) use ($t, $keys) {
    for ($i = 0; $i < $n; $i++) {
        $t->get($keys[$i & 1023]);
    }
}));
report('Table::get (one field)', best($ops, function (int $n) use ($t, $keys) {
    for ($i = 0; $i < $n; $i++) {
        $t->get($keys[$i & 1023], 'id');
    }
}));
report('Table::incr', best($ops, function (int $n) use ($t, $keys) {
    for ($i = 0; $i < $n; $i++) {
        $t->incr($keys[$i & 1023], 'id');
    }
}));
report('Table::exists', best($ops, function (int $n) use ($t, $keys) {
    for ($i = 0; $i < $n; $i++) {
        $t->exists($keys[$i & 1023]);
    }
}));
$a = new Atomic(0);
report('Atomic::add', best($ops, function (int $n) use ($a) {
    for ($i = 0; $i < $n; $i++) {
        $a->add(1);
    }
}));
$l = new Atomic\Long(0);
report('Atomic\Long::add', best($ops, function (int $n) use ($l) {
    for ($i = 0; $i < $n; $i++) {
        $l->add(1);
    }
}));

/** kB values of /proc/self/status lines. */
function status(string $field): int
{
    preg_match("/^$field:\\s+(\\d+) kB/m", file_get_contents('/proc/self/status'), $m);
    return (int)($m[1] ?? 0);
}

$vm0 = status('VmSize');
$shm0 = status('RssShmem');
$big = new Table(1_000_000);
$big->column('i', Table::TYPE_INT);
$big->column('f', Table::TYPE_FLOAT);
$big->column('s', Table::TYPE_STRING, 32);
$big->create();
$vm1 = status('VmSize');
$shm1 = status('RssShmem');
$stored = 0;
$s = str_repeat('s', 32);
while (@$big->set("key-$stored", ['i' => $stored, 'f' => 0.5, 's' => $s])) {
    $stored++;
}
$shm2 = status('RssShmem');
printf("1M-row table (int, float, string 32): getSize %s, getMemorySize %s bytes\n",
    number_format($big->getSize()), number_format($big->getMemorySize()));
printf("  mapped by create(): %s KiB (VmSize); touched at once: %s KiB (RssShmem)\n",
    number_format($vm1 - $vm0), number_format($shm1 - $shm0));
printf("  filled until set() refused: %s rows, %s KiB shared memory touched\n",
    number_format($stored), number_format($shm2 - $shm0));
