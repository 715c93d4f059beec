--TEST--
hostile input: slowloris: 50 clients stall inside their request head and 10 upgraded clients stall inside a frame, while another sends its upgrade one byte at a time; meanwhile a healthy client keeps being served, a new client connects and echoes, and the stalled clients are neither served nor dropped early; when they hang up, onClose runs for each
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

/** Waits until the server's stdout has $n lines starting with $prefix. */
function wait_lines(ServerProcess $srv, string $prefix, int $n, float $timeout = 20.0): void
{
    $deadline = microtime(true) + $timeout;
    while (($got = count_lines($srv, $prefix)) < $n) {
        if (!$srv->isRunning() || microtime(true) > $deadline) {
            throw new RuntimeException("expected $n '$prefix' lines, got $got (running: " . var_export($srv->isRunning(), true) . ")");
        }
        usleep(20000);
    }
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');

$request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    . "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// fds 2..51: a partial request head each (1 to 140 bytes of it), then nothing.
$heads = [];
for ($i = 0; $i < 50; $i++) {
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    fwrite($s, substr($request, 0, 1 + ($i * 37) % (strlen($request) - 2)));
    $heads[] = $s;
}
// fds 52..61: upgraded, then the header and 5 bytes of a 100-byte frame.
$frames = [];
for ($i = 0; $i < 10; $i++) {
    $ws = RawWs::connect($port);
    $ws->sendRaw(substr(frame(WS_OP_TEXT, str_repeat('s', 100)), 0, 11));
    $frames[] = $ws;
}
$srv->waitForOutput("open 61\n");

// fd 62: the upgrade one byte at a time, the healthy client served between bytes.
$trickle = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
for ($i = 0; $i < strlen($request); $i++) {
    fwrite($trickle, $request[$i]);
    if ($i % 10 === 0) {
        $healthy->check("trickle byte $i");
    }
}
stream_set_timeout($trickle, 5);
$resp = '';
while (!str_contains($resp, "\r\n\r\n") && ($line = fgets($trickle)) !== false) {
    $resp .= $line;
}
echo "byte-at-a-time upgrade: ", status_line($resp), "\n";
$srv->waitForOutput("open 62\n");
fwrite($trickle, frame(WS_OP_TEXT, 'trickled'));
echo "its echo: ", bin2hex(fread($trickle, 10)), "\n";

// A new client, while all of the above stall.
echo "new client: ", server_alive($srv, $port, 63), "\n";
$healthy->check('with 60 stalled clients');

// Nobody was dropped or served: only the new client has closed so far.
echo "closed while stalled: ", count_lines($srv, 'close '), " (", trim(implode(' ', preg_grep('/^close /', explode("\n", $srv->stdout())))), ")\n";
echo "stalled requests answered: ";
$answered = 0;
foreach ($heads as $s) {
    stream_set_blocking($s, false);
    if (fread($s, 100) !== '') {
        $answered++;
    }
}
echo "$answered\n";

// They all hang up: 60 more onClose, then the trickler's.
$heads = $frames = [];
unset($s, $ws); // the loop variables hold one of each too
wait_lines($srv, 'close ', 61);
fclose($trickle);
$srv->waitForOutput("close 62\n");
$healthy->check('end');
$healthy->close($srv);
echo "opened: ", count_lines($srv, 'open '), ", closed: ", count_lines($srv, 'close '), "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
byte-at-a-time upgrade: HTTP/1.1 101 Switching Protocols
its echo: 8108747269636b6c6564
new client: alive
closed while stalled: 1 (close 63)
stalled requests answered: 0
opened: 13, closed: 63
int(0)
