--TEST--
hostile input: fragmented control frames (FIN=0), control frames with a 126-byte payload (also announced and not sent), and unmasked client frames fail the connection with 1002; a 125-byte ping is still answered; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

$p125 = str_repeat('p', 125);
$p126 = str_repeat('p', 126);
run_frame_cases($srv, $port, $healthy, $fd, [
    // The legal limit, for comparison: answered with a pong, then our close is echoed.
    'ping, 125 bytes (valid)' => frame(WS_OP_PING, $p125) . frame(WS_OP_CLOSE, pack('n', 1000)),
    'ping, FIN=0' => frame(WS_OP_PING, 'p', false),
    'ping, FIN=0, empty' => frame(WS_OP_PING, '', false),
    'pong, FIN=0' => frame(WS_OP_PONG, 'p', false),
    'close, FIN=0' => frame(WS_OP_CLOSE, pack('n', 1000), false),
    'ping FIN=0 + continuation' => frame(WS_OP_PING, 'p', false) . frame(WS_OP_CONTINUATION, 'q'),
    'ping, 126 bytes' => frame(WS_OP_PING, $p126),
    'pong, 126 bytes' => frame(WS_OP_PONG, $p126),
    'close, 126 bytes' => frame(WS_OP_CLOSE, pack('n', 1000) . str_repeat('r', 124)),
    // Only the header: refused at once, not after waiting for 65535 bytes.
    'ping announcing 65535, header only' => frame_head(0x89, 65535),
    'close announcing 2^40, header only' => frame_head(0x88, 1 << 40),
    'unmasked text' => frame(WS_OP_TEXT, 'hello', true, 0, false),
    'unmasked empty binary' => frame(WS_OP_BINARY, '', true, 0, false),
    'unmasked ping' => frame(WS_OP_PING, 'p', true, 0, false),
    'unmasked close 1000' => frame(WS_OP_CLOSE, pack('n', 1000), true, 0, false),
    'unmasked continuation' => frame(WS_OP_TEXT, 'a', false) . frame(WS_OP_CONTINUATION, 'b', true, 0, false),
]);

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
ping, 125 bytes (valid):             op=10 len=125, close 1000 EOF
ping, FIN=0:                         close 1002 EOF
ping, FIN=0, empty:                  close 1002 EOF
pong, FIN=0:                         close 1002 EOF
close, FIN=0:                        close 1002 EOF
ping FIN=0 + continuation:           close 1002 EOF
ping, 126 bytes:                     close 1002 EOF
pong, 126 bytes:                     close 1002 EOF
close, 126 bytes:                    close 1002 EOF
ping announcing 65535, header only:  close 1002 EOF
close announcing 2^40, header only:  close 1002 EOF
unmasked text:                       close 1002 EOF
unmasked empty binary:               close 1002 EOF
unmasked ping:                       close 1002 EOF
unmasked close 1000:                 close 1002 EOF
unmasked continuation:               close 1002 EOF
new client: alive
int(0)
