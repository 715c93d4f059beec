--TEST--
hostile input: garbage after the handshake (0xff bytes, zeros, an HTTP request, 20 blocks of random bytes) gets a close frame with 1002 (1007 or 1009 where the garbage happens to read as such a frame) or a closed connection, never a crash or a hang; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);

$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

// Garbage whose first frame header is wrong at once: the server fails the connection
// without waiting for more. 0xff...: RSV2/RSV3, opcode 15, a 2^64-1 length; zeros: an
// unmasked continuation frame with no message to continue.
foreach (['64 bytes of 0xff' => str_repeat("\xff", 64), '1 MiB of zeros' => str_repeat("\0", 1 << 20)] as $what => $bytes) {
    $ws = bad_ws($srv, $port, ++$fd);
    try {
        $ws->sendRaw($bytes);
    } catch (RuntimeException $e) {
        // The server may have hung up before taking it all: the close frame is still there.
    }
    printf("%-22s %s\n", "$what:", outcome($ws));
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

// An HTTP request where frames belong: 'G' 'E' read as RSV1 + opcode 7 and a 69-byte
// unmasked payload, not all there yet. Once we stop sending, the server must not wait on.
$ws = bad_ws($srv, $port, ++$fd);
$ws->sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
stream_socket_shutdown($ws->socket(), STREAM_SHUT_WR);
$o = outcome($ws);
printf("%-22s %s\n", 'HTTP request again:', in_array($o, ['EOF', 'close 1002 EOF'], true) ? 'closed' : $o);
unset($ws);
$srv->waitForOutput("close $fd\n");
$healthy->check('HTTP request again');

// Random bytes: whatever a frame header they happen to start with, the connection ends
// with a protocol error (or, if the first frame is not complete, when we stop sending).
// A garbage frame that happens to be valid may be echoed first; nothing else may come.
$bad = [];
for ($seed = 1; $seed <= 20; $seed++) {
    mt_srand($seed);
    $bytes = '';
    for ($i = 0; $i < 16384; $i++) {
        $bytes .= chr(mt_rand(0, 255));
    }
    $ws = bad_ws($srv, $port, ++$fd);
    try {
        $ws->sendRaw($bytes);
    } catch (RuntimeException $e) {
    }
    @stream_socket_shutdown($ws->socket(), STREAM_SHUT_WR);
    $o = outcome($ws);
    if (!preg_match('/^(op=(1|2|10) len=\d+, )*(close (1002|1007|1009) EOF|EOF)$/', $o)) {
        $bad[] = "seed $seed: $o";
    }
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check("random seed $seed");
}
echo "random garbage, 20 connections: ", $bad ? "unexpected:\n" . implode("\n", $bad) : 'all ended with 1002/1007/1009 or a hang-up', "\n";

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
echo "opened: ", count_lines($srv, 'open '), ", closed: ", count_lines($srv, 'close '), "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
64 bytes of 0xff:      close 1002 EOF
1 MiB of zeros:        close 1002 EOF
HTTP request again:    closed
random garbage, 20 connections: all ended with 1002/1007/1009 or a hang-up
new client: alive
opened: 25, closed: 25
int(0)
