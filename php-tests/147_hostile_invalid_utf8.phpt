--TEST--
hostile input: invalid UTF-8 in a text message (bad bytes, overlong forms, surrogates, past U+10FFFF, a truncated sequence; in one frame or across fragments) and in a close reason fails the connection with 1007; valid UTF-8 split across fragments and any bytes in a binary message are echoed; a healthy client is served throughout
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
    'byte 0xff' => frame(WS_OP_TEXT, "abc\xffdef"),
    'lone continuation byte' => frame(WS_OP_TEXT, "\x80"),
    'overlong "/" (c0 af)' => frame(WS_OP_TEXT, "\xc0\xaf"),
    'overlong NUL (e0 80 80)' => frame(WS_OP_TEXT, "\xe0\x80\x80"),
    'surrogate U+D800' => frame(WS_OP_TEXT, "\xed\xa0\x80"),
    'U+110000' => frame(WS_OP_TEXT, "\xf4\x90\x80\x80"),
    'truncated euro sign' => frame(WS_OP_TEXT, "price: \xe2\x82"),
    'bad byte in a middle fragment' => frame(WS_OP_TEXT, 'abc', false) . frame($C, "\xff", false) . frame($C, 'def'),
    'truncated at the message end' => frame(WS_OP_TEXT, "abc\xe2", false) . frame($C, "\x82"),
    'close 1000 + reason 0xff' => frame(WS_OP_CLOSE, pack('n', 1000) . "bye \xff"),
    'close 1000 + surrogate reason' => frame(WS_OP_CLOSE, pack('n', 1000) . "\xed\xbf\xbf"),
    // For comparison: a valid reason comes back with the close.
    'close 1000 + UTF-8 reason' => frame(WS_OP_CLOSE, pack('n', 1000) . 'adieu é'),
]);

// For comparison: valid UTF-8 split inside a character, and bytes that are not UTF-8 in
// a binary message, are echoed.
foreach ([
    'euro sign split over 3 fragments' => frame(WS_OP_TEXT, "\xe2", false) . frame($C, "\x82", false) . frame($C, "\xac"),
    'binary ff fe' => frame(WS_OP_BINARY, "\xff\xfe"),
] as $what => $bytes) {
    $ws = bad_ws($srv, $port, ++$fd);
    $ws->sendRaw($bytes);
    $f = $ws->recvFrame();
    printf("%-34s op=%d %s, close: %s\n", "$what:", $f['opcode'], bin2hex($f['payload']), json_encode($ws->close(1000)));
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
byte 0xff:                      close 1007 EOF
lone continuation byte:         close 1007 EOF
overlong "/" (c0 af):           close 1007 EOF
overlong NUL (e0 80 80):        close 1007 EOF
surrogate U+D800:               close 1007 EOF
U+110000:                       close 1007 EOF
truncated euro sign:            close 1007 EOF
bad byte in a middle fragment:  close 1007 EOF
truncated at the message end:   close 1007 EOF
close 1000 + reason 0xff:       close 1007 EOF
close 1000 + surrogate reason:  close 1007 EOF
close 1000 + UTF-8 reason:      close 1000 "adieu \u00e9" EOF
euro sign split over 3 fragments:  op=1 e282ac, close: {"code":1000,"reason":""}
binary ff fe:                      op=2 fffe, close: {"code":1000,"reason":""}
new client: alive
int(0)
