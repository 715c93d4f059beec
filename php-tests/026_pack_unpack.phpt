--TEST--
foundation: static Server::pack()/unpack() and Frame::pack()/unpack(), (string)$frame: the bytes and objects Swoole 6.2.1 produces
--FILE--
<?php
use Swoole\WebSocket\CloseFrame;
use Swoole\WebSocket\Frame;
use Swoole\WebSocket\Server;

echo "== pack ==\n";
$f = new Frame;
$f->data = 'hi';
echo '(string)Frame(data=hi): ', bin2hex((string)$f), "\n";
echo "pack('hello world\\n'): ", bin2hex(Server::pack("hello world\n")), "\n";
echo "pack('abc', BINARY): ", bin2hex(Server::pack('abc', WEBSOCKET_OPCODE_BINARY)), "\n";
echo "pack('abc', TEXT, 0): ", bin2hex(Server::pack('abc', WEBSOCKET_OPCODE_TEXT, 0)), "\n";
$masked = Server::pack('abc', WEBSOCKET_OPCODE_TEXT, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_MASK);
echo "pack('abc', TEXT, FIN|MASK): len ", strlen($masked), ' first2 ', bin2hex(substr($masked, 0, 2)), "\n";
echo "pack('Hello Swoole', TEXT, FIN|COMPRESS): ",
    bin2hex(Server::pack('Hello Swoole', WEBSOCKET_OPCODE_TEXT, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS)), "\n";
$p = Server::pack(str_repeat('a', 126));
echo 'pack(126 bytes): header ', bin2hex(substr($p, 0, 4)), ' total ', strlen($p), "\n";
$p = Server::pack(str_repeat('a', 65536));
echo 'pack(65536 bytes): header ', bin2hex(substr($p, 0, 10)), ' total ', strlen($p), "\n";
$c = new CloseFrame;
$c->code = 4000;
$c->reason = 'bye';
echo 'pack(CloseFrame 4000 bye): ', bin2hex(Server::pack($c)), "\n";
$ping = new Frame;
$ping->opcode = WEBSOCKET_OPCODE_PING;
echo 'pack(Frame PING, data \'\'): ', bin2hex(Server::pack($ping)), "\n";
echo "Frame::pack('x'): ", bin2hex(Frame::pack('x')), "\n";

echo "== unpack ==\n";
foreach ([
    "masked 'Hello' (RFC 6455 5.7)" => '818537fa213d7f9f4d5158',
    "unmasked 'Hello'" => '810548656c6c6f',
    "masked close 1000 'bye'" => '8885' . '01020304' . bin2hex(pack('n', 1000) . 'bye' ^ "\x01\x02\x03\x04\x01"),
    'unmasked close, no payload' => '8800',
    "ping 'p'" => '890170',
    'compressed, from pack(FIN|COMPRESS)' => 'c10ef248cdc9c957082ecfcfcf490500',
] as $what => $hex) {
    echo "-- $what\n";
    var_dump(Server::unpack(hex2bin($hex)));
}
echo "-- the masked pack above\n";
var_dump(Server::unpack($masked));

echo "== unpack of what is not a whole frame ==\n";
var_dump(@Server::unpack('garbage'));
var_dump(@Server::unpack(''));
var_dump(@Server::unpack("\x81"));
var_dump(@Server::unpack("\x81\x05he"));
var_dump(@Frame::unpack('garbage'));
?>
--EXPECTF--
== pack ==
(string)Frame(data=hi): 81026869
pack('hello world\n'): 810c68656c6c6f20776f726c640a
pack('abc', BINARY): 8203616263
pack('abc', TEXT, 0): 0103616263
pack('abc', TEXT, FIN|MASK): len 9 first2 8183
pack('Hello Swoole', TEXT, FIN|COMPRESS): c10ef248cdc9c957082ecfcfcf490500
pack(126 bytes): header 817e007e total 130
pack(65536 bytes): header 817f0000000000010000 total 65546
pack(CloseFrame 4000 bye): 88050fa0627965
pack(Frame PING, data ''): 8900
Frame::pack('x'): 810178
== unpack ==
-- masked 'Hello' (RFC 6455 5.7)
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(5) "Hello"
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(33)
  ["finish"]=>
  bool(true)
}
-- unmasked 'Hello'
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(5) "Hello"
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(1)
  ["finish"]=>
  bool(true)
}
-- masked close 1000 'bye'
object(Swoole\WebSocket\CloseFrame)#%d (7) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(0) ""
  ["opcode"]=>
  int(8)
  ["flags"]=>
  int(33)
  ["finish"]=>
  bool(true)
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(3) "bye"
}
-- unmasked close, no payload
object(Swoole\WebSocket\CloseFrame)#%d (7) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(0) ""
  ["opcode"]=>
  int(8)
  ["flags"]=>
  int(1)
  ["finish"]=>
  bool(true)
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
-- ping 'p'
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(1) "p"
  ["opcode"]=>
  int(9)
  ["flags"]=>
  int(1)
  ["finish"]=>
  bool(true)
}
-- compressed, from pack(FIN|COMPRESS)
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(12) "Hello Swoole"
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(7)
  ["finish"]=>
  bool(true)
}
-- the masked pack above
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(3) "abc"
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(33)
  ["finish"]=>
  bool(true)
}
== unpack of what is not a whole frame ==
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
