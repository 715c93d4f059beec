--TEST--
foundation: push() to an fd that never existed returns false with a warning; push() to a client that has closed returns false
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

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/027_push_errors.php', [$port]);
$srv->waitForListening($port);

$a = RawWs::connect($port);
$b = RawWs::connect($port);
$b->sendText('b here');
echo payload($b->recvFrame()), "\n";
var_dump($b->close(1000, ''));
unset($b);
$srv->waitForOutput("close 2\n");

foreach (['push 999', 'push 2', 'push 1'] as $cmd) {
    $a->sendText($cmd);
    // push 1 is a's own fd: "x" arrives first.
    do {
        $f = $a->recvFrame();
        echo 'a got: ', payload($f), "\n";
    } while ($f !== null && $f['payload'] !== 'pushed');
}
var_dump($a->close(1000, ''));
unset($a);
$srv->waitForOutput("close 1\n");
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECTF--
b here
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
a got: pushed
a got: pushed
a got: x
a got: pushed
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
int(0)
open 1
open 2
close 2
push to fd 999:

Warning: Swoole\WebSocket\Server::push(): session#999 does not exists in %s027_push_errors.php on line %d
bool(false)
push to fd 2:
%A
bool(false)
push to fd 1:
bool(true)
close 1
