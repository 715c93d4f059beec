--TEST--
hostile input: with package_max_length 65536, a message over it fails the connection with 1009 as soon as its header says so (before the payload is sent), as does a fragmented message growing past it, a frame header announcing 2^32, 2^63 or 2^64-1 bytes, and a compressed message inflating past it; messages of exactly 65536 bytes (whole, fragmented, compressed) are echoed; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php',
    [$port, json_encode(['package_max_length' => 65536, 'websocket_compression' => true])]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

$C = WS_OP_CONTINUATION;
$k30 = str_repeat('f', 30000);
$mask = "\x01\x02\x03\x04";
run_frame_cases($srv, $port, $healthy, $fd, [
    // Only the header and 1000 of the 70000 bytes: the answer comes without the rest.
    'text of 70000, 1000 bytes sent' => frame_head(0x81, 70000) . random_bytes(1000),
    'binary of 65537, all sent' => frame(WS_OP_BINARY, str_repeat('b', 65537)),
    'first fragment announcing 70000' => frame_head(0x02, 70000),
    '3 fragments of 30000' => frame(WS_OP_BINARY, $k30, false) . frame($C, $k30, false) . frame($C, $k30),
    '3 fragments of 30000, last FIN=0' => frame(WS_OP_BINARY, $k30, false) . frame($C, $k30, false) . frame($C, $k30, false),
    '65536 in fragments, then 1 more' => frame(WS_OP_TEXT, $k30, false) . frame($C, $k30, false) . frame($C, str_repeat('g', 5536), false) . frame($C, 'h'),
    'header announcing 2^32' => "\x82\xff\x00\x00\x00\x01\x00\x00\x00\x00" . $mask,
    'header announcing 2^63' => "\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00" . $mask,
    'header announcing 2^64-1' => "\x82\xff" . str_repeat("\xff", 8) . $mask,
    'text FIN=0 announcing 2^63' => "\x01\xff\x80\x00\x00\x00\x00\x00\x00\x00" . $mask,
    'continuation announcing 2^63' => frame(WS_OP_TEXT, 'a', false) . "\x80\xff\x80\x00\x00\x00\x00\x00\x00\x00" . $mask,
    'unmasked, announcing 2^63' => "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00",
]);

/** Sends $bytes on a new connection (with deflate offered if $deflate) and prints the echo's size. */
function echo_size(ServerProcess $srv, int $port, int $fd, Healthy $healthy, string $what, string $bytes, bool $deflate = false): void
{
    $ws = RawWs::connect($port, '/', $deflate ? ['Sec-WebSocket-Extensions' => 'permessage-deflate'] : []);
    $srv->waitForOutput("open $fd\n");
    if ($deflate && $ws->header('Sec-WebSocket-Extensions') === null) {
        echo "$what: permessage-deflate not agreed\n";
    }
    $ws->sendRaw($bytes);
    $f = $ws->recvFrame(10.0);
    if ($f['rsv'] & 4) {
        // The server may compress its echo on a connection that agreed to deflate.
        $f['payload'] = inflate_add(inflate_init(ZLIB_ENCODING_RAW), $f['payload'] . "\x00\x00\xff\xff", ZLIB_SYNC_FLUSH);
    }
    printf("%-36s op=%d, %d bytes, close: %s\n", "$what:", $f['opcode'], strlen($f['payload']), json_encode($ws->close(1000)));
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

// Exactly at the limit: accepted.
$k64 = str_repeat('x', 65536);
echo_size($srv, $port, ++$fd, $healthy, 'binary of exactly 65536', frame(WS_OP_BINARY, $k64));
echo_size($srv, $port, ++$fd, $healthy, '65536 in 3 fragments', frame(WS_OP_TEXT, $k30, false) . frame($C, $k30, false) . frame($C, str_repeat('g', 5536)));
echo_size($srv, $port, ++$fd, $healthy, 'compressed, inflating to 65536', frame(WS_OP_TEXT, gzdeflate($k64), true, 4), true);

// Compressed messages that inflate past the limit: by one byte (a deflate stream ending
// in a final block, as gzdeflate() writes), and a few hundred bytes inflating to 1 MiB.
$bomb = gzdeflate(str_repeat('a', 1 << 20), 9);
foreach ([
    'compressed, inflating to 65537' => gzdeflate(str_repeat('x', 65537)),
    'compressed ' . strlen($bomb) . ' bytes, inflating to 1 MiB' => $bomb,
] as $what => $z) {
    $ws = RawWs::connect($port, '/', ['Sec-WebSocket-Extensions' => 'permessage-deflate']);
    $srv->waitForOutput('open ' . (++$fd) . "\n");
    $ws->sendRaw(frame(WS_OP_TEXT, $z, true, 4));
    printf("%-36s %s\n", "$what:", outcome($ws));
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECTF--
text of 70000, 1000 bytes sent:    close 1009 EOF
binary of 65537, all sent:         close 1009 EOF
first fragment announcing 70000:   close 1009 EOF
3 fragments of 30000:              close 1009 EOF
3 fragments of 30000, last FIN=0:  close 1009 EOF
65536 in fragments, then 1 more:   close 1009 EOF
header announcing 2^32:            close 1009 EOF
header announcing 2^63:            close 1009 EOF
header announcing 2^64-1:          close 1009 EOF
text FIN=0 announcing 2^63:        close 1009 EOF
continuation announcing 2^63:      close 1009 EOF
unmasked, announcing 2^63:         close %r(1009|1002)%r EOF
binary of exactly 65536:             op=2, 65536 bytes, close: {"code":1000,"reason":""}
65536 in 3 fragments:                op=1, 65536 bytes, close: {"code":1000,"reason":""}
compressed, inflating to 65536:      op=1, 65536 bytes, close: {"code":1000,"reason":""}
compressed, inflating to 65537:      close 1009 EOF
compressed %d bytes, inflating to 1 MiB: close 1009 EOF
new client: alive
int(0)
