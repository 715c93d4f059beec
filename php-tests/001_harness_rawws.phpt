--TEST--
harness: RawWs handshake, frames, ping, fragments, close, and raw HTTP against a plain PHP WebSocket server
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/001_ws_echo_plain.php', [$port]);
$srv->waitForPort($port);

$ws = RawWs::connect($port, '/chat?x=1');
echo strtok($ws->handshakeResponse(), "\r\n"), "\n";
var_dump($ws->header('upgrade'));

$ws->sendText('hello');
$f = $ws->recvFrame();
var_dump($f);

// 16-bit and 64-bit payload lengths, both ways.
foreach ([300, 70000, 1 << 20] as $n) {
    $data = random_bytes($n);
    $ws->sendBinary($data);
    $f = $ws->recvFrame();
    echo "binary $n: ", $f['opcode'] === WS_OP_BINARY && $f['payload'] === $data ? 'ok' : 'BAD', "\n";
}

// A fragmented message, and a ping in the middle of it.
$ws->sendFrame(WS_OP_TEXT, 'frag', false);
$ws->sendFrame(WS_OP_PING, 'are you there');
$ws->sendFrame(WS_OP_CONTINUATION, 'mented', true);
$pong = $ws->recvFrame();
echo 'pong: ', $pong['opcode'] === WS_OP_PONG ? $pong['payload'] : 'BAD', "\n";
echo 'joined: ', $ws->recvFrame()['payload'], "\n";

// Two frames in one write.
$ws->sendRaw(RawWs::buildFrame(WS_OP_TEXT, 'a') . RawWs::buildFrame(WS_OP_TEXT, 'b'));
echo $ws->recvFrame()['payload'], $ws->recvFrame()['payload'], "\n";

// Nothing more is coming: recvFrame times out with an exception.
try {
    $ws->recvFrame(0.2);
} catch (RuntimeException $e) {
    echo "timeout: ", $e->getMessage(), "\n";
}

var_dump($ws->close(4001, 'bye'));
var_dump($ws->recvFrame());

// Raw HTTP: not an upgrade.
$resp = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
echo strtok($resp, "\r\n"), "\n";

// connect() refuses anything but a 101 and says what came instead.
try {
    RawWs::connect($port, '/', ['Sec-WebSocket-Key' => null]);
} catch (RuntimeException $e) {
    echo str_replace(["\r\n", "\n"], '|', substr($e->getMessage(), 0, 55)), "\n";
}

var_dump($srv->stop() === (function_exists('pcntl_signal') ? 0 : 143));
echo $srv->stdout();
?>
--EXPECTF--
HTTP/1.1 101 Switching Protocols
string(9) "websocket"
array(5) {
  ["fin"]=>
  bool(true)
  ["rsv"]=>
  int(0)
  ["opcode"]=>
  int(1)
  ["masked"]=>
  bool(false)
  ["payload"]=>
  string(5) "hello"
}
binary 300: ok
binary 70000: ok
binary 1048576: ok
pong: are you there
joined: fragmented
ab
timeout: timed out waiting for data (0 bytes buffered)
array(2) {
  ["code"]=>
  int(4001)
  ["reason"]=>
  string(3) "bye"
}
NULL
HTTP/1.1 400 Bad Request
handshake: expected 101, got:|HTTP/1.1 400 Bad Request
bool(true)
listening on %d
open
message text 5
message binary 300
message binary 70000
message binary 1048576
message text 10
message text 1
message text 1
close 4001
bad request
bad request
