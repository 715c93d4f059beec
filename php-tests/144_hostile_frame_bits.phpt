--TEST--
hostile input: frames with RSV2 or RSV3 set, RSV1 without negotiated compression (data, continuation and control frames), RSV1 on a continuation or control frame with compression, and the unknown opcodes 3-7 and 11-15 fail the connection with 1002; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
// Compression is on, but only connections that offer it have it.
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port, json_encode(['websocket_compression' => true])]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

// RSV bits: 4 = RSV1, 2 = RSV2, 1 = RSV3.
$cases = [
    'text, RSV2' => frame(WS_OP_TEXT, 'x', true, 2),
    'text, RSV3' => frame(WS_OP_TEXT, 'x', true, 1),
    'binary, RSV2+RSV3' => frame(WS_OP_BINARY, 'x', true, 3),
    'text, RSV1 (no deflate)' => frame(WS_OP_TEXT, 'x', true, 4),
    'binary, RSV1 (no deflate)' => frame(WS_OP_BINARY, "\x00", true, 4),
    'empty text, all RSV bits' => frame(WS_OP_TEXT, '', true, 7),
    'continuation, RSV1' => frame(WS_OP_TEXT, 'a', false) . frame(WS_OP_CONTINUATION, 'b', true, 4),
    'continuation, RSV2' => frame(WS_OP_TEXT, 'a', false) . frame(WS_OP_CONTINUATION, 'b', true, 2),
    'ping, RSV1' => frame(WS_OP_PING, 'p', true, 4),
    'pong, RSV3' => frame(WS_OP_PONG, 'p', true, 1),
    'close 1000, RSV2' => frame(WS_OP_CLOSE, pack('n', 1000), true, 2),
];
foreach ([3, 4, 5, 6, 7, 11, 12, 13, 14, 15] as $op) {
    $cases["opcode $op"] = frame($op, 'x');
}
$cases['opcode 3, empty'] = frame(3, '');
$cases['opcode 15, no FIN'] = frame(15, 'x', false);
$cases['opcode 7 inside a message'] = frame(WS_OP_TEXT, 'a', false) . frame(7, 'x');
run_frame_cases($srv, $port, $healthy, $fd, $cases);

// With permessage-deflate agreed, RSV1 is still only for the first frame of a data message.
$z = gzdeflate('hello');
run_frame_cases($srv, $port, $healthy, $fd, [
    'deflate: continuation, RSV1' => frame(WS_OP_TEXT, $z, false, 4) . frame(WS_OP_CONTINUATION, $z, true, 4),
    'deflate: ping, RSV1' => frame(WS_OP_PING, 'p', true, 4),
    'deflate: close 1000, RSV1' => frame(WS_OP_CLOSE, pack('n', 1000), true, 4),
    'deflate: text, RSV2' => frame(WS_OP_TEXT, $z, true, 6),
], ['Sec-WebSocket-Extensions' => 'permessage-deflate']);

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
text, RSV2:                 close 1002 EOF
text, RSV3:                 close 1002 EOF
binary, RSV2+RSV3:          close 1002 EOF
text, RSV1 (no deflate):    close 1002 EOF
binary, RSV1 (no deflate):  close 1002 EOF
empty text, all RSV bits:   close 1002 EOF
continuation, RSV1:         close 1002 EOF
continuation, RSV2:         close 1002 EOF
ping, RSV1:                 close 1002 EOF
pong, RSV3:                 close 1002 EOF
close 1000, RSV2:           close 1002 EOF
opcode 3:                   close 1002 EOF
opcode 4:                   close 1002 EOF
opcode 5:                   close 1002 EOF
opcode 6:                   close 1002 EOF
opcode 7:                   close 1002 EOF
opcode 11:                  close 1002 EOF
opcode 12:                  close 1002 EOF
opcode 13:                  close 1002 EOF
opcode 14:                  close 1002 EOF
opcode 15:                  close 1002 EOF
opcode 3, empty:            close 1002 EOF
opcode 15, no FIN:          close 1002 EOF
opcode 7 inside a message:  close 1002 EOF
deflate: continuation, RSV1:  close 1002 EOF
deflate: ping, RSV1:          close 1002 EOF
deflate: close 1000, RSV1:    close 1002 EOF
deflate: text, RSV2:          close 1002 EOF
new client: alive
int(0)
