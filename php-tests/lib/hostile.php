<?php
/**
 * Helpers for the hostile-input tests (140-159), on top of harness.php:
 *
 *   Healthy::connect($srv, $port, $fd)  a well-behaved client; ->check() asserts its echo
 *   bad_ws($srv, $port, $fd)            a fresh upgraded RawWs for one bad input
 *   outcome(RawWs $ws)                  how the server answered: "close 1002 EOF", "EOF"...
 *   http_exchange($port, $bytes)        raw bytes in; [response, closed?] out
 *   status_line($response)              the first line of a response
 *   server_alive($srv, $port)           a new client connects, echoes and leaves
 *
 * The echo server is servers/140_echo.php: "open N" / "close N" on its stdout.
 */

declare(strict_types=1);

require_once __DIR__ . '/harness.php';

/** A client that keeps talking to the server while others misbehave. */
final class Healthy
{
    private int $n = 0;

    private function __construct(public RawWs $ws, public int $fd)
    {
    }

    /** Connects and waits until the server has run onOpen for it (as fd $fd). */
    public static function connect(ServerProcess $srv, int $port, int $fd): self
    {
        $ws = RawWs::connect($port);
        $srv->waitForOutput("open $fd\n");
        return new self($ws, $fd);
    }

    /**
     * Sends a text and a binary message and checks both echoes (exact bytes, opcode,
     * FIN, unmasked). Throws with what came instead.
     */
    public function check(string $when = ''): void
    {
        $this->n++;
        $text = "healthy {$this->fd} #{$this->n} héllo";
        $bin = random_bytes(37);
        $this->ws->sendText($text);
        $this->ws->sendBinary($bin);
        foreach ([[WS_OP_TEXT, $text], [WS_OP_BINARY, $bin]] as [$op, $payload]) {
            $f = $this->ws->recvFrame(5.0);
            if ($f === null || $f['opcode'] !== $op || $f['payload'] !== $payload || !$f['fin'] || $f['masked']) {
                throw new RuntimeException("healthy client fd {$this->fd} ($when): expected echo of "
                    . json_encode(bin2hex($payload)) . " op=$op, got " . json_encode($f === null ? null : [
                        'op' => $f['opcode'], 'fin' => $f['fin'], 'masked' => $f['masked'],
                        'payload' => bin2hex($f['payload'])]));
            }
        }
    }

    /** Closes with 1000 and checks the echoed close. */
    public function close(ServerProcess $srv): void
    {
        $r = $this->ws->close(1000, 'done');
        if ($r !== ['code' => 1000, 'reason' => 'done']) {
            throw new RuntimeException("healthy client fd {$this->fd}: close answered with " . json_encode($r));
        }
        unset($this->ws);
        $srv->waitForOutput("close {$this->fd}\n");
    }
}

/** An upgraded connection (server fd $fd) to misbehave on; $headers as for RawWs::connect. */
function bad_ws(ServerProcess $srv, int $port, int $fd, array $headers = []): RawWs
{
    $ws = RawWs::connect($port, '/', $headers);
    $srv->waitForOutput("open $fd\n");
    return $ws;
}

/**
 * What the server did after a bad input: every frame until EOF, summarised as
 * "close <code>[ <reason>] EOF", "EOF" (hung up without a close frame), or with other
 * frames listed first ("op=10 len=3, close 1002 EOF"). "TIMEOUT" if the connection is
 * still open after $timeout with nothing more coming.
 */
function outcome(RawWs $ws, float $timeout = 5.0): string
{
    $parts = [];
    $deadline = microtime(true) + $timeout;
    try {
        while (true) {
            $f = $ws->recvFrame(max(0.001, $deadline - microtime(true)));
            if ($f === null) {
                $parts[] = 'EOF';
                break;
            }
            if ($f['opcode'] === WS_OP_CLOSE) {
                $p = $f['payload'];
                $s = strlen($p) >= 2 ? 'close ' . unpack('n', $p)[1] : 'close (' . bin2hex($p) . ')';
                if (strlen($p) > 2) {
                    $s .= ' ' . json_encode(substr($p, 2));
                }
                if ($f['masked'] || !$f['fin'] || $f['rsv'] !== 0) {
                    $s .= ' <bad header: masked or no FIN or RSV>';
                }
                // After its close frame the server must hang up.
                $s .= $ws->isEof(max(0.001, $deadline - microtime(true))) ? ' EOF' : ' <still open>';
                $parts[] = $s;
                break;
            }
            $parts[] = "op={$f['opcode']} len=" . strlen($f['payload']);
        }
    } catch (RuntimeException $e) {
        $parts[] = 'TIMEOUT (' . $e->getMessage() . ')';
    }
    return implode(', ', $parts);
}

/**
 * For each case (name => bytes to send after the handshake), on a fresh upgraded
 * connection ($headers: extra upgrade request headers): sends the bytes, prints "name: <outcome>", hangs up, waits for onClose, and
 * checks that the healthy client is still served. $fd is the last fd used (updated).
 */
function run_frame_cases(ServerProcess $srv, int $port, Healthy $healthy, int &$fd, array $cases,
                         array $headers = []): void
{
    $width = max(array_map('strlen', array_keys($cases))) + 2;
    foreach ($cases as $what => $bytes) {
        $ws = bad_ws($srv, $port, ++$fd, $headers);
        try {
            $ws->sendRaw($bytes);
        } catch (RuntimeException $e) {
            // The server may hang up before taking everything: its close frame still counts.
        }
        printf("%-{$width}s %s\n", "$what:", outcome($ws));
        unset($ws);
        $srv->waitForOutput("close $fd\n");
        $healthy->check($what);
    }
}

/** A masked frame (RawWs::buildFrame with named flags). */
function frame(int $opcode, string $payload, bool $fin = true, int $rsv = 0, bool $mask = true): string
{
    return RawWs::buildFrame($opcode, $payload, $fin, $mask, $rsv);
}

/** A masked frame header announcing $len payload bytes (64-bit length when $len > 65535). */
function frame_head(int $b0, int $len, bool $mask = true): string
{
    $m = $mask ? 0x80 : 0;
    if ($len < 126) {
        $h = pack('CC', $b0, $m | $len);
    } elseif ($len <= 0xFFFF) {
        $h = pack('CCn', $b0, $m | 126, $len);
    } else {
        // pack('J') is signed: build the 8 bytes by hand so 2^63 and up come out right.
        $h = pack('CC', $b0, $m | 127) . pack('NN', ($len >> 32) & 0xFFFFFFFF, $len & 0xFFFFFFFF);
    }
    return $h . ($mask ? "\x01\x02\x03\x04" : '');
}

/**
 * Sends $bytes on a new connection, then reads until the server hangs up (or $timeout).
 * Returns [everything received, true if the server closed the connection].
 * $shutdownWrite: half-close our side after sending (the server sees EOF).
 */
function http_exchange(int $port, string $bytes, float $timeout = 5.0, bool $shutdownWrite = false): array
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    if ($s === false) {
        throw new RuntimeException("connect: $errstr");
    }
    stream_set_blocking($s, false);
    $deadline = microtime(true) + $timeout;
    $out = '';
    $closed = false;
    while ($bytes !== '' && microtime(true) < $deadline) {
        $r = [$s];
        $w = [$s];
        $e = null;
        if (@stream_select($r, $w, $e, 0, 200000) === false) {
            break;
        }
        if ($r) {
            $d = @fread($s, 65536);
            if ($d === '' && feof($s)) {
                $closed = true;
                break;
            }
            $out .= (string)$d;
        }
        if ($w) {
            $n = @fwrite($s, $bytes);
            if ($n === false) {
                break; // reset by the server: what it sent is still read below
            }
            $bytes = (string)substr($bytes, $n);
        }
    }
    if ($shutdownWrite) {
        @stream_socket_shutdown($s, STREAM_SHUT_WR);
    }
    while (!$closed && ($left = $deadline - microtime(true)) > 0) {
        $r = [$s];
        $w = $e = null;
        if (!@stream_select($r, $w, $e, (int)$left, (int)(fmod($left, 1.0) * 1e6))) {
            break;
        }
        $d = @fread($s, 65536);
        if ($d === false || ($d === '' && feof($s))) {
            $closed = true;
            break;
        }
        $out .= $d;
    }
    fclose($s);
    return [$out, $closed];
}

/** First line of an HTTP response, or "<nothing>". */
function status_line(string $response): string
{
    if ($response === '') {
        return '<nothing>';
    }
    $p = strpos($response, "\r\n");
    return $p === false ? json_encode($response) : substr($response, 0, $p);
}

/** Number of times $line (a whole line) appears on the server's stdout. */
function count_lines(ServerProcess $srv, string $prefix): int
{
    return preg_match_all('/^' . preg_quote($prefix, '/') . '/m', $srv->stdout());
}

/** The server still runs and serves: a brand-new client echoes and closes cleanly. */
function server_alive(ServerProcess $srv, int $port, int $fd): string
{
    if (!$srv->isRunning()) {
        return "server exited with code " . $srv->exitCode();
    }
    $h = Healthy::connect($srv, $port, $fd);
    $h->check('new client at the end');
    $h->close($srv);
    return 'alive';
}
