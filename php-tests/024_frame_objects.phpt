--TEST--
foundation: Frame and CloseFrame: var_dump of new objects as the manual shows them (data NULL, finish true), writable properties, var_dump of a received frame (flags 33, finish true), binary data stays bytes
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

/** A server frame's payload (server frames must never be masked). */
function payload(?array $f): string
{
    if ($f === null) {
        return '<connection closed>';
    }
    return ($f['masked'] ? '<MASKED FRAME> ' : '') . $f['payload'];
}

use Swoole\WebSocket\CloseFrame;
use Swoole\WebSocket\Frame;

var_dump(new Frame);
var_dump(new CloseFrame);

$f = new Frame;
$f->fd = 7;
$f->data = 'written';
$f->opcode = WEBSOCKET_OPCODE_BINARY;
$f->flags = SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_RSV1;
$f->finish = false;
var_dump($f);
$f->data = "\x00\x01\xff";
var_dump(bin2hex($f->data), strlen($f->data));

$c = new CloseFrame;
$c->code = 4000;
$c->reason = 'bye';
var_dump($c->code, $c->reason, $c instanceof Frame);

// Received frames, from a live server.
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/024_frame_dump.php', [$port]);
$srv->waitForListening($port);
$ws = RawWs::connect($port);
$ws->sendText('dump');
echo payload($ws->recvFrame()), "\n";
$ws->sendBinary("\x00\x01\xff");
$back = $ws->recvFrame();
echo 'binary back: opcode=', $back['opcode'], ' masked=', var_export($back['masked'], true), ' ', bin2hex($back['payload']), "\n";
var_dump($ws->close(1000, ''));
unset($ws);
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECTF--
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  NULL
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(1)
  ["finish"]=>
  bool(true)
}
object(Swoole\WebSocket\CloseFrame)#%d (7) {
  ["fd"]=>
  int(0)
  ["data"]=>
  NULL
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
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(7)
  ["data"]=>
  string(7) "written"
  ["opcode"]=>
  int(2)
  ["flags"]=>
  int(5)
  ["finish"]=>
  bool(false)
}
string(6) "0001ff"
int(3)
int(4000)
string(3) "bye"
bool(true)
dumped
binary back: opcode=2 masked=false 0001ff
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
int(0)
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(1)
  ["data"]=>
  string(4) "dump"
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(33)
  ["finish"]=>
  bool(true)
}
bool(true)
binary: 0001ff strlen=3
