--TEST--
Swoole\Table: columns, create, set/get/field, incr/decr, exists/del and their aliases, count, getSize (Swoole's rounding), getMemorySize, stats, foreach, destroy, and Swoole's warnings for bad columns, long keys and misuse
--SKIPIF--
<?php if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded'); ?>
--FILE--
<?php
use Swoole\Table;

// Sizes round up to a power of two, at least 64.
foreach ([1, 64, 65, 1000, 1024] as $n) {
    echo "size $n -> ", (new Table($n))->getSize(), "\n";
}

$t = new Table(1000);
var_dump($t instanceof Iterator, $t instanceof Countable, $t->size, $t->getMemorySize());
var_dump($t->column('id', Table::TYPE_INT));
var_dump($t->column('name', Table::TYPE_STRING, 12)); // holds 16 bytes, as in Swoole
var_dump($t->column('score', Table::TYPE_FLOAT));
var_dump($t->column('bad', Table::TYPE_STRING)); // strings need a size
var_dump($t->create());
var_dump($t->size, $t->memorySize === $t->getMemorySize(), $t->getMemorySize() > 0);
var_dump($t->column('late', Table::TYPE_INT));

var_dump($t->set('alice', ['id' => 1, 'name' => 'Alice', 'score' => 9.5]));
var_dump($t->set(42, ['id' => '42', 'name' => 4242, 'extra' => 'ignored']));
var_dump($t->get('alice'));
var_dump($t->get('42'), $t->get(42, 'name'), $t->get('alice', 'score'));
var_dump($t->get('nobody'), $t->get('alice', 'nofield'));

// An update changes only the columns given; a new row clears the others.
$t->set('alice', ['score' => 1.25]);
var_dump($t->get('alice'));

var_dump($t->incr('alice', 'id'), $t->incr('alice', 'id', 10), $t->decr('alice', 'id', 2));
var_dump($t->incr('alice', 'score', 0.5), $t->decr('alice', 'score'));
var_dump($t->incr('counter', 'id', 5), $t->get('counter'));
var_dump($t->incr('alice', 'name'), $t->incr('alice', 'nope'));

var_dump(count($t), $t->count(), $t->exists('alice'), $t->exist('alice'), $t->exists('ghost'));
var_dump($t->del('counter'), $t->del('counter'), $t->delete('42'), $t->exists('42'), count($t));

// Keys longer than 63 bytes are stored cut to 63 (but hashed whole, as in Swoole),
// with Swoole's warning on set().
$long = str_repeat('k', 70);
var_dump($t->set($long, ['id' => 7]), $t->get($long, 'id'), $t->exists(substr($long, 0, 63)));

// foreach walks every row once: key => row.
for ($i = 0; $i < 100; $i++) {
    $t->set("row$i", ['id' => $i, 'name' => "n$i"]);
}
$seen = [];
foreach ($t as $key => $row) {
    if (isset($seen[$key])) {
        echo "twice: $key\n";
    }
    $seen[$key] = $row;
}
ksort($seen);
echo count($seen), " rows iterated, ", count($t), " counted\n";
$want = array_merge(['alice', substr($long, 0, 63)], array_map(fn($i) => "row$i", range(0, 99)));
$got = array_keys($seen);
sort($want);
sort($got);
var_dump($seen['row7'], $got === $want ? 'all keys' : 'wrong keys');

$s = $t->stats();
var_dump($s['num'], $s['delete_count'], $s['total_slice_num'], $s['available_slice_num'] <= $s['total_slice_num']);

var_dump($t->destroy());
try {
    $t->get('alice');
} catch (Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$u = new Table(8);
try {
    $u->set('a', []);
} catch (Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($u->count(), $u->stats());
?>
--EXPECTF--
size 1 -> 64
size 64 -> 64
size 65 -> 128
size 1000 -> 1024
size 1024 -> 1024
bool(true)
bool(true)
NULL
int(0)
bool(true)
bool(true)
bool(true)

Warning: Swoole\Table::column(): the length of string type values has to be more than zero in %s on line %d
bool(false)
bool(true)
int(1024)
bool(true)
bool(true)

Warning: Swoole\Table::column(): unable to add column after table has been created in %s on line %d
bool(false)
bool(true)
bool(true)
array(3) {
  ["id"]=>
  int(1)
  ["name"]=>
  string(5) "Alice"
  ["score"]=>
  float(9.5)
}
array(3) {
  ["id"]=>
  int(42)
  ["name"]=>
  string(4) "4242"
  ["score"]=>
  float(0)
}
string(4) "4242"
float(9.5)
bool(false)
bool(false)
array(3) {
  ["id"]=>
  int(1)
  ["name"]=>
  string(5) "Alice"
  ["score"]=>
  float(1.25)
}
int(2)
int(12)
int(10)
float(1.75)
float(0.75)
int(5)
array(3) {
  ["id"]=>
  int(5)
  ["name"]=>
  string(0) ""
  ["score"]=>
  float(0)
}

Warning: Swoole\Table::incr(): can't execute 'incr' on a string type column in %s on line %d

Warning: Swoole\Table::incr(): column[nope] does not exist in %s on line %d
bool(false)
bool(false)
int(3)
int(3)
bool(true)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
int(1)

Warning: Swoole\Table::set(): key[kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk] is too long in %s on line %d
bool(true)
int(7)
bool(false)
102 rows iterated, 102 counted
array(3) {
  ["id"]=>
  int(7)
  ["name"]=>
  string(2) "n7"
  ["score"]=>
  float(0)
}
string(8) "all keys"
int(102)
int(2)
int(204)
bool(true)
bool(true)
Error: must call constructor first
Error: table is not created or has been destroyed
int(0)
bool(false)
