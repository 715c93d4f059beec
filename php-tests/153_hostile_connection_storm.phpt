--TEST--
hostile input: 1,000 connections opened at once (a third sending an upgrade, a third part of a request head, a third nothing) and all dropped at once: onClose runs for every one, the server's descriptor count returns to where it was, it survives, and a healthy client echoes during and after the storm
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

const N = 1000;

// This process holds N client sockets, and the server (started from it) their peers.
$lim = posix_getrlimit();
if ($lim['soft openfiles'] !== 'unlimited' && (int)$lim['soft openfiles'] < 2 * N + 200) {
    $hard = $lim['hard openfiles'] === 'unlimited' ? 4 * N : (int)$lim['hard openfiles'];
    if ($hard < 2 * N + 200 || !posix_setrlimit(POSIX_RLIMIT_NOFILE, $hard, $hard)) {
        throw new RuntimeException("cannot raise the open-files limit to " . (2 * N + 200) . " (hard limit $hard)");
    }
}

/** Descriptors the server's processes (the master and its workers) have open. */
function fd_count(ServerProcess $srv): int
{
    $n = 0;
    foreach (array_merge([$srv->pid()], process_descendants($srv->pid())) as $pid) {
        $fds = @scandir("/proc/$pid/fd");
        $n += $fds === false ? 0 : count($fds) - 2;
    }
    return $n;
}

/** Polls $cond (a closure) until true; throws after $timeout seconds. */
function wait_until(callable $cond, string $what, float $timeout = 30.0): void
{
    $deadline = microtime(true) + $timeout;
    while (!$cond()) {
        if (microtime(true) > $deadline) {
            throw new RuntimeException("timed out waiting for: $what");
        }
        usleep(20000);
    }
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$baseline = fd_count($srv);
$t0 = microtime(true);

$request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    . "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
$socks = [];
for ($i = 0; $i < N; $i++) {
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 10);
    if ($s === false) {
        throw new RuntimeException("connection $i: $errstr ($errno)");
    }
    if ($i % 3 === 0) {
        fwrite($s, $request);
    } elseif ($i % 3 === 1) {
        fwrite($s, substr($request, 0, 40));
    }
    $socks[] = $s;
}
unset($s);
// All N are in: the server has accepted every one of them (1 healthy + N).
wait_until(fn() => fd_count($srv) >= $baseline + N, 'the server to hold ' . N . ' more descriptors');
$healthy->check('with ' . N . ' connections open');
echo "opened ", N, " connections; healthy client served\n";

// Drop them all at once.
$socks = [];
$healthy->check('right after the drop');
wait_until(fn() => count_lines($srv, 'close ') >= N, N . ' onClose lines');
echo "onClose ran for ", count_lines($srv, 'close '), " connections\n";
// onClose lines name each fd 2..N+1 once.
preg_match_all('/^close (\d+)$/m', $srv->stdout(), $m);
$fds = array_map('intval', $m[1]);
sort($fds);
echo "fds closed: ", $fds === range(2, N + 1) ? '2..' . (N + 1) . ' once each' : 'UNEXPECTED ' . json_encode(array_slice($fds, 0, 20)), "\n";
wait_until(fn() => fd_count($srv) <= $baseline, 'the server to release the descriptors');
echo "server descriptors back to the baseline\n";
$healthy->check('after the storm');
echo "new client: ", server_alive($srv, $port, N + 2), "\n";
$elapsed = microtime(true) - $t0;
echo "storm took under 30 s: ", $elapsed < 30 ? 'yes' : sprintf('no (%.1f s)', $elapsed), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
opened 1000 connections; healthy client served
onClose ran for 1000 connections
fds closed: 2..1001 once each
server descriptors back to the baseline
new client: alive
storm took under 30 s: yes
int(0)
