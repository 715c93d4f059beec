--TEST--
Swoole\Table limits: a full table refuses a new key with Swoole's warning and false while every stored row stays intact, and a string longer than its column is cut with Swoole's log line without touching the neighbouring columns or rows
--SKIPIF--
<?php if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded'); ?>
--FILE--
<?php
use Swoole\Table;

// 64 rows plus 20% for collisions: 76 at most.
$t = new Table(64);
$t->column('n', Table::TYPE_INT);
$t->column('s', Table::TYPE_STRING, 16);
$t->create();
$stored = [];
for ($i = 0; $i < 1000; $i++) {
    $ok = $t->set("key-$i", ['n' => $i, 's' => "value-$i"]);
    if (!$ok) {
        $refused = "key-$i";
        break;
    }
    $stored["key-$i"] = $i;
}
echo "refused after ", count($stored) >= 12 && count($stored) <= 76 ? "12 to 76" : count($stored), " rows\n";
var_dump($t->exists($refused), count($t) === count($stored), $t->stats()['available_slice_num']);
$intact = 0;
foreach ($stored as $k => $i) {
    $intact += $t->get($k) === ['n' => $i, 's' => "value-$i"];
}
echo "intact: ", $intact === count($stored) ? 'all' : $intact, "\n";
// Updating a stored key still works; incr of a new key fails the same way.
var_dump($t->set(array_key_first($stored), ['n' => -1]), $t->incr($refused, 'n'));
// Freed rows are reused.
foreach ($stored as $k => $_) {
    $t->del($k);
}
var_dump(count($t), $t->set($refused, ['n' => 1]), $t->get($refused, 'n'));

// Over-long strings: the column holds 16 bytes (its size rounded up to 8).
$u = new Table(64);
$u->column('a', Table::TYPE_INT);
$u->column('s', Table::TYPE_STRING, 10);
$u->column('b', Table::TYPE_INT);
$u->create();
$u->set('left', ['a' => 1, 's' => 'left', 'b' => 2]);
$u->set('mid', ['a' => 3, 's' => 'mid', 'b' => 4]);
$u->set('right', ['a' => 5, 's' => 'right', 'b' => 6]);
var_dump($u->set('mid', ['s' => str_repeat('x', 16)]), $u->get('mid', 's'));
var_dump($u->set('mid', ['s' => str_repeat('y', 1000)]));
var_dump($u->get('mid'), $u->get('left'), $u->get('right'));
?>
--EXPECTF--
Warning: Swoole\Table::set(): failed to set('key-%d'), unable to allocate memory in %s on line %d
refused after 12 to 76 rows
bool(false)
bool(true)
int(0)
intact: all

Warning: Swoole\Table::incr(): unable to allocate memory in %s on line %d
bool(true)
bool(false)
int(0)
bool(true)
int(1)
bool(true)
string(16) "xxxxxxxxxxxxxxxx"
[%s %c%d.0]	WARNING	TableRow::set_value(): [key=mid,field=s]string value is too long
bool(true)
array(3) {
  ["a"]=>
  int(3)
  ["s"]=>
  string(16) "yyyyyyyyyyyyyyyy"
  ["b"]=>
  int(4)
}
array(3) {
  ["a"]=>
  int(1)
  ["s"]=>
  string(4) "left"
  ["b"]=>
  int(2)
}
array(3) {
  ["a"]=>
  int(5)
  ["s"]=>
  string(5) "right"
  ["b"]=>
  int(6)
}
