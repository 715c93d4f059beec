--TEST--
soak: 100 connections exchange 50,000 messages (1-4096 bytes, text and binary) with an echo server, connecting and disconnecting throughout (some without a close handshake); every echo is exact, every connection gets onClose, and the server's RSS at the end is within 10% (+2 MiB) of its RSS after warm-up
--DESCRIPTION--
The issue's full soak is 1,000,000 messages; that takes minutes on two cores, so the
regular suite runs 50,000. For the full run:

    SOAK_MESSAGES=1000000 PHPT_TIMEOUT=3600 scripts/test php-tests/160_soak.phpt

(SKIP_BUILD=1 SKIP_CARGO_TEST=1 SKIP_FUZZ=1 to run only this test.) The RSS is read from
/proc/<server pid>/status (VmRSS) once a fifth of the messages have been echoed
(warm-up) and again after the last, both times with the connections open.
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$messages = (int)(getenv('SOAK_MESSAGES') ?: 50000);
$limit = (int)(getenv('TEST_TIMEOUT') ?: 120);
// The harness stops the test just under run-tests.php's timeout: give the client that
// much, less the time to start and stop the server.
$clientTimeout = max(20, $limit - 15);

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/160_soak_echo.php', [$port]);
$srv->waitForListening($port);

$r = py_client('soak.py', ["ws://127.0.0.1:$port/", '--messages', $messages, '--connections', 100,
    '--warmup', intdiv($messages, 5), '--pid', $srv->pid()], $clientTimeout);
if (!preg_match('/^messages=(\d+) connects=(\d+) closes=(\d+) drops=(\d+) errors=(\d+) rss_warm_kib=(\d+) rss_end_kib=(\d+) seconds=([\d.]+)$/m',
    $r['stdout'], $m)) {
    echo "soak client failed (exit {$r['code']}):\n", $r['stdout'], $r['stderr'];
} else {
    [, $done, $connects, $closes, $drops, $errors, $warm, $end, $secs] = $m;
    echo "client exit code: {$r['code']}\n";
    echo "messages echoed: ", $done >= $messages ? "all $messages" : "only $done of $messages", "\n";
    echo "errors: $errors\n", $errors > 0 ? $r['stdout'] : '';
    // Sessions of 20-200 messages: 100 at first, then one new connection per ~110 messages.
    echo "connections: ", $connects >= 100 + intdiv($messages, 400) ? 'churned' : "only $connects", "\n";
    echo "left with and without a close handshake: ", $closes > 0 && $drops > 0 ? 'both' : "closes=$closes drops=$drops", "\n";
    $allowed = (int)($warm * 1.10) + 2048;
    echo "RSS end within 10% + 2 MiB of warm-up: ",
        $end <= $allowed ? 'yes' : "NO: $warm KiB after warm-up, $end KiB at the end (allowed $allowed)", "\n";
    echo "soak: $done messages in {$secs}s, $connects connections, RSS $warm -> $end KiB\n";
}

// Every connection is reported closed, the dropped ones included.
$deadline = microtime(true) + 10;
while (count_lines($srv, 'close ') < count_lines($srv, 'open ') && microtime(true) < $deadline) {
    usleep(20000);
}
$opened = count_lines($srv, 'open ');
echo "onClose for every connection: ", $opened > 0 && count_lines($srv, 'close ') === $opened ? 'yes' : "NO: $opened opened, " . count_lines($srv, 'close ') . " closed", "\n";
echo "server still serving: ", server_alive($srv, $port, $opened + 1), "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECTF--
client exit code: 0
messages echoed: all %d
errors: 0
connections: churned
left with and without a close handshake: both
RSS end within 10% + 2 MiB of warm-up: yes
soak: %d messages in %fs, %d connections, RSS %d -> %d KiB
onClose for every connection: yes
server still serving: alive
int(0)
