--TEST--
hostile input: clients that disconnect halfway (inside the request head, inside a frame header, inside a payload, between fragments, with a reset instead of a FIN, before reading the reply to their close or their echo): onClose runs for each, nothing else breaks, and a healthy client is served throughout; a message and a close frame followed at once by a FIN are still delivered and answered
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

/** Makes closing $ws send a reset (SO_LINGER 0) instead of a FIN. */
function arm_reset(RawWs $ws): void
{
    $sock = socket_import_stream($ws->socket());
    socket_set_option($sock, SOL_SOCKET, SO_LINGER, ['l_onoff' => 1, 'l_linger' => 0]);
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

// Inside the request head: never upgraded, but still a connection that ends.
$s = stream_socket_client("tcp://127.0.0.1:$port");
fwrite($s, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webso");
fclose($s);
$srv->waitForOutput('close ' . (++$fd) . "\n");
$healthy->check('head');
echo "inside the request head: onClose\n";

$big = random_bytes(1 << 20);
$cases = [
    'inside a frame header' => ["\x81", false],
    'inside the extended length' => ["\x82\xfe\x03", false],
    'inside the mask key' => ["\x82\x85\x01\x02", false],
    'after 10 of 1000 payload bytes' => [substr(frame(WS_OP_BINARY, str_repeat('p', 1000)), 0, 18), false],
    'between two fragments' => [frame(WS_OP_TEXT, 'first part', false), false],
    'inside a continuation frame' => [frame(WS_OP_TEXT, 'a', false) . substr(frame(WS_OP_CONTINUATION, 'bcdefgh'), 0, 9), false],
    'with 700 KiB of a 1 MiB frame, reset' => [substr(frame(WS_OP_BINARY, $big), 0, 700 * 1024), true],
    'right after the handshake, reset' => ['', true],
    'after a close frame, not reading' => [frame(WS_OP_CLOSE, pack('n', 1000)), false],
    'after a message, not reading the echo' => [frame(WS_OP_BINARY, $big), false],
    'after a message, reset' => [frame(WS_OP_BINARY, $big), true],
];
foreach ($cases as $what => [$bytes, $reset]) {
    $ws = bad_ws($srv, $port, ++$fd);
    if ($bytes !== '') {
        $ws->sendRaw($bytes);
    }
    if ($reset) {
        arm_reset($ws);
    }
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
    echo "$what: onClose\n";
}

// Not a disconnect halfway, but the end of one: a message and a close frame, then a
// half-close (FIN) at once. What arrived before the FIN still counts: the message reaches
// onMessage and the close is answered. Ten times, as the timing varies.
$delivered = $answered = 0;
for ($i = 0; $i < 10; $i++) {
    $ws = bad_ws($srv, $port, ++$fd);
    $ws->sendRaw(frame(WS_OP_TEXT, 'last words') . frame(WS_OP_CLOSE, pack('n', 1000)));
    stream_socket_shutdown($ws->socket(), STREAM_SHUT_WR);
    $o = outcome($ws);
    $answered += (int)str_ends_with($o, 'close 1000 EOF');
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $delivered += (int)str_contains($srv->stdout(), "message $fd 10\n");
    $healthy->check('half-close');
}
echo "message then close then FIN: onMessage ran $delivered of 10 times, close answered $answered of 10 times\n";

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
echo "opened: ", count_lines($srv, 'open '), ", closed: ", count_lines($srv, 'close '), "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
inside the request head: onClose
inside a frame header: onClose
inside the extended length: onClose
inside the mask key: onClose
after 10 of 1000 payload bytes: onClose
between two fragments: onClose
inside a continuation frame: onClose
with 700 KiB of a 1 MiB frame, reset: onClose
right after the handshake, reset: onClose
after a close frame, not reading: onClose
after a message, not reading the echo: onClose
after a message, reset: onClose
message then close then FIN: onMessage ran 10 of 10 times, close answered 10 of 10 times
new client: alive
opened: 23, closed: 24
int(0)
