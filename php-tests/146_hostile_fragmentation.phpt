--TEST--
hostile input: a continuation frame with no message to continue, and a new text or binary frame inside a fragmented message, fail the connection with 1002; a ping between fragments is answered and the message still arrives whole; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

$C = WS_OP_CONTINUATION;
run_frame_cases($srv, $port, $healthy, $fd, [
    'continuation first, FIN=1' => frame($C, 'x'),
    'continuation first, FIN=0' => frame($C, 'x', false),
    'continuation first, empty' => frame($C, ''),
    'text FIN=0, then text' => frame(WS_OP_TEXT, 'a', false) . frame(WS_OP_TEXT, 'b'),
    'text FIN=0, then binary' => frame(WS_OP_TEXT, 'a', false) . frame(WS_OP_BINARY, 'b'),
    'binary FIN=0, then text FIN=0' => frame(WS_OP_BINARY, 'a', false) . frame(WS_OP_TEXT, 'b', false),
    'text FIN=0, cont, then binary' => frame(WS_OP_TEXT, 'a', false) . frame($C, 'b', false) . frame(WS_OP_BINARY, 'c'),
    'whole message, then continuation' => frame(WS_OP_BINARY, 'a') . frame($C, 'b'),
    'finished fragments, then continuation' => frame(WS_OP_BINARY, 'a', false) . frame($C, 'b') . frame($C, 'c'),
]);

// For comparison, valid fragmentation: a ping between the fragments is answered at once,
// and the message arrives whole (an echo of all three parts).
$ws = bad_ws($srv, $port, ++$fd);
$ws->sendRaw(frame(WS_OP_TEXT, 'one ', false) . frame(WS_OP_PING, 'mid') . frame($C, 'two ', false) . frame($C, 'three'));
foreach ([1, 2] as $_) {
    $f = $ws->recvFrame();
    printf("valid fragments: op=%d fin=%d %s\n", $f['opcode'], $f['fin'], $f['payload']);
}
var_dump($ws->close(1000));
unset($ws);
$srv->waitForOutput("close $fd\n");

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
continuation first, FIN=1:              close 1002 EOF
continuation first, FIN=0:              close 1002 EOF
continuation first, empty:              close 1002 EOF
text FIN=0, then text:                  close 1002 EOF
text FIN=0, then binary:                close 1002 EOF
binary FIN=0, then text FIN=0:          close 1002 EOF
text FIN=0, cont, then binary:          close 1002 EOF
whole message, then continuation:       op=2 len=1, close 1002 EOF
finished fragments, then continuation:  op=2 len=2, close 1002 EOF
valid fragments: op=10 fin=1 mid
valid fragments: op=1 fin=1 one two three
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
new client: alive
int(0)
