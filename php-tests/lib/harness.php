<?php
/**
 * Helpers for the phpt suite. Every test does:
 *
 *     require __DIR__ . '/lib/harness.php';
 *
 *   free_port(): int                          an unused TCP port on 127.0.0.1
 *   php_command(): array                      [php binary, ...args that load the extension]
 *   ServerProcess::start($script, $args, $env) a PHP script in a child process (see the class)
 *   RawWs::connect($port, $path, $headers)    a byte-exact WebSocket client
 *   RawWs::httpRequest($port, $raw)           raw bytes in, everything until EOF out
 *   py_client($script, $args, $timeout)       a Python client from php-tests/clients/
 *
 * Children are started without a shell (array form of proc_open), so a signal reaches
 * the server itself. Every child is killed when the test ends, however it ends, short of
 * the test process being SIGKILLed (scripts/test sweeps those up afterwards).
 */

declare(strict_types=1);

// posix does not define the signal numbers; pcntl does, and may be missing.
foreach (['SIGHUP' => 1, 'SIGINT' => 2, 'SIGQUIT' => 3, 'SIGKILL' => 9, 'SIGUSR1' => 10,
          'SIGUSR2' => 12, 'SIGALRM' => 14, 'SIGTERM' => 15] as $name => $num) {
    if (!defined($name)) {
        define($name, $num);
    }
}

/**
 * Ends this test (running its shutdown hooks, which stop its servers) after $seconds;
 * null disables. On a timeout run-tests.php SIGKILLs only the shell around the test, so
 * the test and its servers would run on; the harness therefore limits itself to just under
 * run-tests.php's --set-timeout (TEST_TIMEOUT) from the moment it is loaded. A test that
 * legitimately runs longer (printing as it goes) raises the limit with this function.
 * Needs pcntl; without it this does nothing.
 */
function harness_time_limit(?int $seconds): void
{
    if (!function_exists('pcntl_alarm')) {
        return;
    }
    if ($seconds === null) {
        pcntl_alarm(0);
        return;
    }
    pcntl_async_signals(true);
    pcntl_signal(SIGALRM, static function () use ($seconds) {
        // Worded so that run-tests.php does not take it for a flaky test and run it again.
        fwrite(STDERR, "\nharness: test still running after {$seconds}s, giving up\n");
        exit(1);
    });
    pcntl_alarm(max(1, $seconds));
}

if (getenv('TEST_TIMEOUT') !== false && (int)getenv('TEST_TIMEOUT') > 0) {
    harness_time_limit(max(1, (int)getenv('TEST_TIMEOUT') - 2));
}

const WS_OP_CONTINUATION = 0x0;
const WS_OP_TEXT = 0x1;
const WS_OP_BINARY = 0x2;
const WS_OP_CLOSE = 0x8;
const WS_OP_PING = 0x9;
const WS_OP_PONG = 0xA;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An unused TCP port on 127.0.0.1 (the kernel picks it; free again once this returns). */
function free_port(): int
{
    // Below the kernel's ephemeral range: a port the OS hands out for port 0 can be
    // taken a moment later by any outgoing connection (the servers' many clients),
    // and a server binding 0.0.0.0 then fails with "Address already in use".
    $range = @file_get_contents('/proc/sys/net/ipv4/ip_local_port_range');
    $low = $range !== false ? (int)preg_split('/\s+/', trim($range))[0] : 32768;
    $top = max(10000, min($low, 65536) - 1);
    for ($i = 0; $i < 200; $i++) {
        $port = random_int(10000, $top);
        $s = @stream_socket_server("tcp://0.0.0.0:$port", $errno, $errstr);
        if ($s !== false) {
            fclose($s);
            return $port;
        }
    }
    throw new RuntimeException("free_port: no free port below $top");
}

/**
 * Splits a command line the way /bin/sh would (quotes and backslashes), without running
 * a shell. run-tests.php hands the ini settings over as  -d "name=value" ...
 */
function split_shell_words(string $s): array
{
    $words = [];
    $cur = '';
    $inWord = false;
    $n = strlen($s);
    for ($i = 0; $i < $n; $i++) {
        $c = $s[$i];
        if ($c === "'") {
            $end = strpos($s, "'", $i + 1);
            if ($end === false) {
                throw new InvalidArgumentException("unterminated ' in: $s");
            }
            $cur .= substr($s, $i + 1, $end - $i - 1);
            $i = $end;
            $inWord = true;
        } elseif ($c === '"') {
            $inWord = true;
            for ($i++; $i < $n && $s[$i] !== '"'; $i++) {
                if ($s[$i] === '\\' && $i + 1 < $n && strpos("\$`\"\\\n", $s[$i + 1]) !== false) {
                    $i++;
                }
                $cur .= $s[$i];
            }
            if ($i >= $n) {
                throw new InvalidArgumentException("unterminated \" in: $s");
            }
        } elseif ($c === '\\' && $i + 1 < $n) {
            $cur .= $s[++$i];
            $inWord = true;
        } elseif (ctype_space($c)) {
            if ($inWord) {
                $words[] = $cur;
                $cur = '';
                $inWord = false;
            }
        } else {
            $cur .= $c;
            $inWord = true;
        }
    }
    if ($inWord) {
        $words[] = $cur;
    }
    return $words;
}

/**
 * The command that runs PHP the way this test runs: run-tests.php's binary and ini
 * settings (which carry -d extension=...). Without run-tests.php (a NAME.php run by hand),
 * the -n/-c/-d options of this very process; and SWOOLE_RS_SO adds the extension.
 */
function php_command(): array
{
    $env = static fn(string $k) => getenv($k) !== false ? (string)getenv($k) : (string)($_ENV[$k] ?? '');
    $php = $env('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
    $extra = trim($env('TEST_PHP_EXTRA_ARGS'));
    if ($extra !== '') {
        $args = split_shell_words($extra);
    } else {
        $args = [];
        $argv = is_readable('/proc/self/cmdline')
            ? explode("\0", rtrim((string)file_get_contents('/proc/self/cmdline'), "\0")) : [];
        for ($i = 1; $i < count($argv); $i++) {
            $a = $argv[$i];
            if ($a === '-n') {
                $args[] = $a;
            } elseif ($a === '-d' || $a === '-c') {
                array_push($args, $a, $argv[++$i] ?? '');
            } elseif (strncmp($a, '-d', 2) === 0 || strncmp($a, '-c', 2) === 0) {
                $args[] = $a;
            } else {
                break; // the script name: its own arguments follow
            }
        }
    }
    $so = $env('SWOOLE_RS_SO');
    if ($so !== '' && !preg_match('/(^|\s|=)extension=\S*swoole_rs/', implode(' ', $args))) {
        array_push($args, '-d', "extension=$so");
    }
    return array_merge([$php], $args);
}

/** Environment for a child: ours, plus $extra (null values unset), plus the sweep marker. */
function child_env(array $extra = []): array
{
    $env = getenv();
    foreach ($extra as $k => $v) {
        if ($v === null) {
            unset($env[$k]);
        } else {
            $env[$k] = (string)$v;
        }
    }
    $env['SWOOLE_RS_TEST_CHILD'] = (string)(getenv('SWOOLE_RS_TEST_TOKEN') ?: 'manual');
    return $env;
}

/**
 * PHP opens sockets and files without O_CLOEXEC, so a child would inherit this test's
 * client connections and keep them open after the test closes them (the server then never
 * sees EOF). Mark every fd above stderr close-on-exec before starting a child.
 */
function mark_fds_cloexec(): void
{
    static $ffi = false;
    if ($ffi === false) {
        $ffi = null;
        if (class_exists('FFI')) {
            try {
                $ffi = FFI::cdef('int fcntl(int fd, int cmd, ...);');
            } catch (Throwable $e) {
                $ffi = null; // ffi.enable=0: children may inherit fds, nothing worse
            }
        }
    }
    if ($ffi === null || !is_dir('/proc/self/fd')) {
        return;
    }
    foreach (scandir('/proc/self/fd') ?: [] as $fd) {
        if (ctype_digit($fd) && (int)$fd > 2) {
            $flags = $ffi->fcntl((int)$fd, 1 /* F_GETFD */);
            if ($flags >= 0) {
                $ffi->fcntl((int)$fd, 2 /* F_SETFD */, $flags | 1 /* FD_CLOEXEC */);
            }
        }
    }
}

/** Sends a signal to a pid (posix if loaded, else kill(1)). */
function send_signal(int $pid, int $sig): bool
{
    if (function_exists('posix_kill')) {
        return posix_kill($pid, $sig);
    }
    exec('kill -' . $sig . ' ' . $pid . ' 2>/dev/null', $_, $rc);
    return $rc === 0;
}

/** All descendants of $pid (children, grandchildren...), from /proc. */
function process_descendants(int $pid): array
{
    $children = [];
    foreach (glob('/proc/[0-9]*/stat') ?: [] as $f) {
        $stat = @file_get_contents($f);
        // pid (comm) state ppid ...; comm may contain spaces and parentheses.
        if ($stat === false || ($p = strrpos($stat, ')')) === false) {
            continue;
        }
        $fields = explode(' ', substr($stat, $p + 2));
        $children[(int)($fields[1] ?? 0)][] = (int)$stat;
    }
    $out = [];
    $todo = [$pid];
    while ($todo) {
        foreach ($children[array_pop($todo)] ?? [] as $c) {
            $out[] = $c;
            $todo[] = $c;
        }
    }
    return $out;
}

/**
 * A PHP script running in a child process with the extension loaded, its stdout and
 * stderr going to temp files (a chatty server can never block on a full pipe).
 */
final class ServerProcess
{
    /** @var array<int, ServerProcess> live processes, killed at shutdown */
    private static array $live = [];
    private static bool $shutdownHook = false;

    /** @var resource|null */
    private $proc;
    private int $pid;
    private ?int $exitCode = null;
    private string $outFile;
    private string $errFile;
    private array $command;

    /**
     * @param string $scriptPath PHP script to run
     * @param array  $args       its arguments (strings)
     * @param array  $env        extra environment variables (null unsets one)
     */
    public static function start(string $scriptPath, array $args = [], array $env = []): self
    {
        if (!is_file($scriptPath)) {
            throw new InvalidArgumentException("no such script: $scriptPath");
        }
        $cmd = array_merge(php_command(), [$scriptPath], array_map('strval', $args));
        return new self($cmd, $env);
    }

    /**
     * Runs one of the manual's examples from examples/ as it is, except that its
     * fixed port 9501 becomes $port (so tests can run side by side).
     */
    public static function startExample(string $example, int $port, array $args = []): self
    {
        $source = __DIR__ . '/../../examples/' . $example;
        if (!is_file($source)) {
            throw new InvalidArgumentException("no such example: $example");
        }
        $code = file_get_contents($source);
        $patched = preg_replace('/\b9501\b/', (string)$port, $code, -1, $n);
        if ($n !== 1) {
            throw new RuntimeException("expected exactly one 9501 in $example, found $n");
        }
        $copy = sys_get_temp_dir() . '/swrs-example-' . $port . '-' . $example;
        file_put_contents($copy, $patched);
        register_shutdown_function(static fn() => @unlink($copy));
        return self::start($copy, $args);
    }

    /** Any command (array form, no shell), with the same bookkeeping as start(). */
    public static function startCommand(array $command, array $env = []): self
    {
        return new self(array_map('strval', $command), $env);
    }

    private function __construct(array $command, array $env)
    {
        $this->command = $command;
        $this->outFile = tempnam(sys_get_temp_dir(), 'swrs-out-');
        $this->errFile = tempnam(sys_get_temp_dir(), 'swrs-err-');
        if (!self::$shutdownHook) {
            self::$shutdownHook = true;
            register_shutdown_function([self::class, 'killAll']);
        }
        mark_fds_cloexec();
        $spec = [
            0 => ['file', '/dev/null', 'r'],
            1 => ['file', $this->outFile, 'w'],
            2 => ['file', $this->errFile, 'w'],
        ];
        $proc = proc_open($command, $spec, $pipes, null, child_env($env));
        if (!is_resource($proc)) {
            throw new RuntimeException('cannot start: ' . implode(' ', $command));
        }
        $this->proc = $proc;
        $this->pid = (int)proc_get_status($proc)['pid'];
        self::$live[$this->pid] = $this;
    }

    public function pid(): int
    {
        return $this->pid;
    }

    public function command(): array
    {
        return $this->command;
    }

    /** Checks (without blocking) whether the process still runs; records its exit code. */
    public function isRunning(): bool
    {
        if ($this->exitCode !== null || $this->proc === null) {
            return false;
        }
        $st = proc_get_status($this->proc);
        if ($st['running']) {
            return true;
        }
        // proc_get_status reports the exit status only once: keep it.
        $this->exitCode = $st['signaled'] ? 128 + $st['termsig'] : $st['exitcode'];
        unset(self::$live[$this->pid]);
        return false;
    }

    /** Exit code once exited (128+N when killed by signal N), null while running. */
    public function exitCode(): ?int
    {
        $this->isRunning();
        return $this->exitCode;
    }

    public function stdout(): string
    {
        return (string)@file_get_contents($this->outFile);
    }

    public function stderr(): string
    {
        return (string)@file_get_contents($this->errFile);
    }

    public function signal(int $sig): void
    {
        if ($this->isRunning()) {
            send_signal($this->pid, $sig);
        }
    }

    /** Waits until something accepts TCP connections on $port; throws if the server dies first. */
    public function waitForPort(int $port, float $timeout = 10.0, string $host = '127.0.0.1'): void
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $s = @stream_socket_client("tcp://$host:$port", $errno, $errstr, 1.0);
            if ($s !== false) {
                fclose($s);
                return;
            }
            if (!$this->isRunning()) {
                $this->fail("exited before listening on $host:$port");
            }
            if (microtime(true) >= $deadline) {
                $this->fail("not listening on $host:$port after {$timeout}s ($errstr)");
            }
            usleep(20000);
        }
    }

    /**
     * Waits until something listens on $port, without connecting to it (a probe
     * connection would be a client of the server and show in its output).
     */
    public function waitForListening(int $port, float $timeout = 10.0): void
    {
        $suffix = sprintf(':%04X', $port);
        $deadline = microtime(true) + $timeout;
        while (true) {
            foreach (['/proc/net/tcp', '/proc/net/tcp6'] as $table) {
                foreach (@file($table) ?: [] as $row) {
                    $f = preg_split('/\s+/', trim($row));
                    if (($f[3] ?? '') === '0A' && substr($f[1], -strlen($suffix)) === $suffix) {
                        return;
                    }
                }
            }
            if (!$this->isRunning()) {
                $this->fail("exited before listening on port $port");
            }
            if (microtime(true) >= $deadline) {
                $this->fail("not listening on port $port after {$timeout}s");
            }
            usleep(10000);
        }
    }

    /** Waits until the server's stdout contains $needle. */
    public function waitForOutput(string $needle, float $timeout = 10.0): void
    {
        $this->waitForFile($this->outFile, 'stdout', $needle, $timeout);
    }

    /** Waits until the server's stderr contains $needle. */
    public function waitForStderr(string $needle, float $timeout = 10.0): void
    {
        $this->waitForFile($this->errFile, 'stderr', $needle, $timeout);
    }

    private function waitForFile(string $file, string $what, string $needle, float $timeout): void
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            // Read before checking for exit, so output written just before exiting counts.
            $running = $this->isRunning();
            if (strpos((string)@file_get_contents($file), $needle) !== false) {
                return;
            }
            if (!$running) {
                $this->fail("exited without printing " . json_encode($needle) . " on $what");
            }
            if (microtime(true) >= $deadline) {
                $this->fail("no " . json_encode($needle) . " on $what after {$timeout}s");
            }
            usleep(20000);
        }
    }

    /** Waits for the process to exit on its own; returns its exit code, or null on timeout. */
    public function wait(float $timeout = 10.0): ?int
    {
        $deadline = microtime(true) + $timeout;
        while ($this->isRunning()) {
            if (microtime(true) >= $deadline) {
                return null;
            }
            usleep(10000);
        }
        return $this->exitCode;
    }

    /**
     * Sends $sig, waits up to $timeout for the exit, then SIGKILLs (the process and anything
     * it forked). Returns the exit code (128+N when ended by signal N).
     */
    public function stop(int $sig = SIGTERM, float $timeout = 10.0): int
    {
        if ($this->isRunning()) {
            $family = process_descendants($this->pid);
            send_signal($this->pid, $sig);
            if ($this->wait($timeout) === null) {
                fwrite(STDERR, "ServerProcess: pid {$this->pid} ignored signal $sig for {$timeout}s, killing it\n");
                $this->kill();
            }
            // Workers it forked and did not reap would outlive the test.
            foreach ($family as $pid) {
                send_signal($pid, SIGKILL);
            }
        }
        $this->close();
        return (int)$this->exitCode;
    }

    /** SIGKILL the process and its descendants and reap it. */
    public function kill(): void
    {
        if ($this->isRunning()) {
            // Workers first: killed after their master, they would get its
            // death signal and stop gracefully instead of dying at once.
            foreach (process_descendants($this->pid) as $pid) {
                send_signal($pid, SIGKILL);
            }
            send_signal($this->pid, SIGKILL);
            while ($this->isRunning()) {
                usleep(5000);
            }
        }
        $this->close();
    }

    private function close(): void
    {
        if ($this->proc !== null) {
            proc_close($this->proc); // the process has exited: does not block
            $this->proc = null;
        }
        unset(self::$live[$this->pid]);
    }

    /** @return never */
    private function fail(string $why): void
    {
        $code = $this->exitCode === null ? 'running' : "exit code {$this->exitCode}";
        throw new RuntimeException(sprintf(
            "server %s (%s)\n  command: %s\n  --- stdout ---\n%s\n  --- stderr ---\n%s",
            $why, $code, implode(' ', $this->command),
            self::tail($this->stdout()), self::tail($this->stderr())
        ));
    }

    private static function tail(string $s, int $max = 4000): string
    {
        return strlen($s) > $max ? '...' . substr($s, -$max) : $s;
    }

    /** Registered as a shutdown function: no test leaves a server behind. */
    public static function killAll(): void
    {
        foreach (self::$live as $p) {
            $p->kill();
        }
    }

    public function __destruct()
    {
        $this->kill();
        @unlink($this->outFile);
        @unlink($this->errFile);
    }
}

/**
 * A WebSocket client that shows and sends exact bytes: frames are built and parsed here,
 * nothing is hidden (no automatic pong, no reassembly, no UTF-8 checks).
 */
final class RawWs
{
    /** @var resource */
    private $sock;
    private string $buf = '';
    private bool $eof = false;
    private string $head = '';
    private array $headers = [];
    /** Frames close() read while waiting for the server's close frame. */
    public array $skippedFrames = [];

    private function __construct($sock)
    {
        $this->sock = $sock;
    }

    /** Opens a TCP connection (non-blocking afterwards: every wait below has a timeout). */
    private static function open(string $host, int $port, float $timeout)
    {
        $ctx = stream_context_create(['socket' => ['tcp_nodelay' => true]]);
        $s = @stream_socket_client("tcp://$host:$port", $errno, $errstr, $timeout,
            STREAM_CLIENT_CONNECT, $ctx);
        if ($s === false) {
            throw new RuntimeException("connect $host:$port: $errstr ($errno)");
        }
        stream_set_blocking($s, false);
        stream_set_read_buffer($s, 0);
        stream_set_write_buffer($s, 0);
        return $s;
    }

    /**
     * HTTP upgrade with a random key; checks for 101 and the right Sec-WebSocket-Accept.
     * $headers: ['Name' => 'value'] (a null value drops a default header, e.g.
     * ['Sec-WebSocket-Version' => null]) or plain "Name: value" lines.
     */
    public static function connect(int $port, string $path = '/', array $headers = [],
                                   string $host = '127.0.0.1', float $timeout = 5.0): self
    {
        $key = base64_encode(random_bytes(16));
        $all = [
            'Host' => "$host:$port",
            'Upgrade' => 'websocket',
            'Connection' => 'Upgrade',
            'Sec-WebSocket-Key' => $key,
            'Sec-WebSocket-Version' => '13',
        ];
        $lines = [];
        foreach ($headers as $name => $value) {
            if (is_int($name)) {
                $lines[] = $value;
                continue;
            }
            foreach (array_keys($all) as $k) {
                if (strcasecmp($k, $name) === 0) {
                    unset($all[$k]);
                }
            }
            if ($value !== null) {
                $all[$name] = $value;
            }
        }
        $req = "GET $path HTTP/1.1\r\n";
        foreach ($all as $k => $v) {
            $req .= "$k: $v\r\n";
        }
        foreach ($lines as $l) {
            $req .= "$l\r\n";
        }
        $req .= "\r\n";

        $ws = new self(self::open($host, $port, $timeout));
        $ws->sendRaw($req);
        $deadline = microtime(true) + $timeout;
        while (($p = strpos($ws->buf, "\r\n\r\n")) === false) {
            if (!$ws->fill($deadline)) {
                throw new RuntimeException("handshake: EOF before the end of the response head:\n" . $ws->buf);
            }
        }
        $ws->head = substr($ws->buf, 0, $p + 4);
        $ws->buf = (string)substr($ws->buf, $p + 4); // the server may send frames right away
        $ws->headers = self::parseHeaders($ws->head);

        if (!preg_match('#^HTTP/1\.1 101 #', $ws->head)) {
            throw new RuntimeException("handshake: expected 101, got:\n" . $ws->head);
        }
        // The key actually sent: a caller may have given its own.
        $sent = $all['Sec-WebSocket-Key'] ?? $key;
        foreach ($all as $k => $v) {
            if (strcasecmp($k, 'Sec-WebSocket-Key') === 0) {
                $sent = $v;
            }
        }
        $accept = base64_encode(sha1($sent . WS_GUID, true));
        if (($ws->headers['sec-websocket-accept'] ?? null) !== $accept) {
            throw new RuntimeException("handshake: Sec-WebSocket-Accept should be $accept in:\n" . $ws->head);
        }
        return $ws;
    }

    /** name (lower case) => value; repeated headers joined with ", ". */
    private static function parseHeaders(string $head): array
    {
        $out = [];
        foreach (array_slice(explode("\r\n", trim($head)), 1) as $line) {
            $c = strpos($line, ':');
            if ($c === false) {
                continue;
            }
            $k = strtolower(trim(substr($line, 0, $c)));
            $v = trim(substr($line, $c + 1));
            $out[$k] = isset($out[$k]) ? $out[$k] . ', ' . $v : $v;
        }
        return $out;
    }

    /** The raw response head, status line to the blank line included. */
    public function handshakeResponse(): string
    {
        return $this->head;
    }

    /** A response header (case-insensitive name), or null. */
    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /** Builds one frame; exposed so tests can split or combine frames at will. */
    public static function buildFrame(int $opcode, string $payload, bool $fin = true,
                                      bool $mask = true, int $rsv = 0): string
    {
        $b0 = ($fin ? 0x80 : 0) | (($rsv & 7) << 4) | ($opcode & 0x0F);
        $len = strlen($payload);
        $m = $mask ? 0x80 : 0;
        if ($len < 126) {
            $h = pack('CC', $b0, $m | $len);
        } elseif ($len <= 0xFFFF) {
            $h = pack('CCn', $b0, $m | 126, $len);
        } else {
            $h = pack('CCJ', $b0, $m | 127, $len);
        }
        if ($mask) {
            $key = random_bytes(4);
            $h .= $key;
            $payload = $payload ^ str_repeat($key, intdiv($len + 3, 4));
        }
        return $h . $payload;
    }

    public function sendFrame(int $opcode, string $payload, bool $fin = true,
                              bool $mask = true, int $rsv = 0): void
    {
        $this->sendRaw(self::buildFrame($opcode, $payload, $fin, $mask, $rsv));
    }

    public function sendText(string $text, bool $fin = true): void
    {
        $this->sendFrame(WS_OP_TEXT, $text, $fin);
    }

    public function sendBinary(string $data, bool $fin = true): void
    {
        $this->sendFrame(WS_OP_BINARY, $data, $fin);
    }

    /**
     * Writes all bytes. Reads while it waits, so a server echoing a huge message back
     * cannot deadlock us both on full socket buffers.
     */
    public function sendRaw(string $bytes, float $timeout = 10.0): void
    {
        $deadline = microtime(true) + $timeout;
        while ($bytes !== '') {
            $r = [$this->sock];
            $w = [$this->sock];
            $e = null;
            $left = max(0.0, $deadline - microtime(true));
            if (@stream_select($r, $w, $e, (int)$left, (int)(fmod($left, 1.0) * 1e6)) === false) {
                throw new RuntimeException('sendRaw: select failed');
            }
            if ($r) {
                $this->readAvailable();
            }
            if ($w) {
                $n = @fwrite($this->sock, $bytes);
                if ($n === false) {
                    throw new RuntimeException('sendRaw: write failed (connection closed?)');
                }
                $bytes = (string)substr($bytes, $n);
            }
            if ($bytes !== '' && microtime(true) >= $deadline) {
                throw new RuntimeException('sendRaw: timed out with ' . strlen($bytes) . ' bytes unsent');
            }
        }
    }

    /** Reads whatever is there; returns false once the peer has closed and nothing is left. */
    private function readAvailable(): bool
    {
        $got = false;
        while (true) {
            $d = @fread($this->sock, 65536);
            if ($d === false || $d === '') {
                break;
            }
            $this->buf .= $d;
            $got = true;
        }
        if (!$got && feof($this->sock)) {
            $this->eof = true;
        }
        return $got;
    }

    /** Waits for more bytes until $deadline: true if some arrived, false on EOF; throws on timeout. */
    private function fill(float $deadline): bool
    {
        while (!$this->eof) {
            if ($this->readAvailable()) {
                return true;
            }
            if ($this->eof) {
                break;
            }
            $left = $deadline - microtime(true);
            if ($left <= 0) {
                throw new RuntimeException('timed out waiting for data (' . strlen($this->buf) . ' bytes buffered)');
            }
            $r = [$this->sock];
            $w = $e = null;
            @stream_select($r, $w, $e, (int)$left, (int)(fmod($left, 1.0) * 1e6));
        }
        return false;
    }

    /** Parses one complete frame off the buffer, or returns null if it is not all there yet. */
    private function parseFrame(): ?array
    {
        $b = $this->buf;
        $n = strlen($b);
        if ($n < 2) {
            return null;
        }
        $b0 = ord($b[0]);
        $b1 = ord($b[1]);
        $len = $b1 & 0x7F;
        $off = 2;
        if ($len === 126) {
            if ($n < 4) {
                return null;
            }
            $len = unpack('n', $b, 2)[1];
            $off = 4;
        } elseif ($len === 127) {
            if ($n < 10) {
                return null;
            }
            $len = unpack('J', $b, 2)[1];
            $off = 10;
        }
        $masked = ($b1 & 0x80) !== 0;
        $key = '';
        if ($masked) {
            if ($n < $off + 4) {
                return null;
            }
            $key = substr($b, $off, 4);
            $off += 4;
        }
        if ($n < $off + $len) {
            return null;
        }
        $payload = (string)substr($b, $off, $len);
        if ($masked) {
            $payload = $payload ^ str_repeat($key, intdiv($len + 3, 4));
        }
        $this->buf = (string)substr($b, $off + $len);
        return [
            'fin' => ($b0 & 0x80) !== 0,
            'rsv' => ($b0 >> 4) & 7,
            'opcode' => $b0 & 0x0F,
            'masked' => $masked,
            'payload' => $payload,
        ];
    }

    /**
     * The next frame: ['fin'=>bool, 'rsv'=>int, 'opcode'=>int, 'masked'=>bool, 'payload'=>string],
     * or null on a clean EOF. Throws on timeout and on EOF in the middle of a frame.
     */
    public function recvFrame(float $timeout = 5.0): ?array
    {
        $deadline = microtime(true) + $timeout;
        while (($f = $this->parseFrame()) === null) {
            if (!$this->fill($deadline)) {
                if ($this->buf !== '') {
                    throw new RuntimeException('EOF inside a frame: ' . bin2hex(substr($this->buf, 0, 32)));
                }
                return null;
            }
        }
        return $f;
    }

    /**
     * Sends a close frame (null code: empty payload) and returns the server's close payload
     * as ['code' => ?int, 'reason' => string] (null if the connection ended without one),
     * then waits for the server to close the TCP connection.
     */
    public function close(?int $code = 1000, string $reason = '', float $timeout = 5.0): ?array
    {
        $this->sendFrame(WS_OP_CLOSE, $code === null ? '' : pack('n', $code) . $reason);
        $deadline = microtime(true) + $timeout;
        $result = null;
        while (($f = $this->recvFrame(max(0.001, $deadline - microtime(true)))) !== null) {
            if ($f['opcode'] === WS_OP_CLOSE) {
                $p = $f['payload'];
                $result = [
                    'code' => strlen($p) >= 2 ? unpack('n', $p)[1] : null,
                    'reason' => (string)substr($p, 2),
                ];
                break;
            }
            $this->skippedFrames[] = $f;
        }
        if ($result !== null && !$this->isEof(max(0.001, $deadline - microtime(true)))) {
            throw new RuntimeException('server sent its close frame but kept the connection open');
        }
        return $result;
    }

    /**
     * Waits up to $timeout for the server to close the connection. Bytes arriving meanwhile
     * stay buffered for recvFrame(). True once EOF is seen, false on timeout.
     */
    public function isEof(float $timeout = 1.0): bool
    {
        $deadline = microtime(true) + $timeout;
        try {
            while ($this->fill($deadline)) {
            }
        } catch (RuntimeException $e) {
            return false; // timed out with the connection still open
        }
        return true;
    }

    /** The underlying stream, for tests that need it (non-blocking). */
    public function socket()
    {
        return $this->sock;
    }

    public function __destruct()
    {
        if (is_resource($this->sock)) {
            fclose($this->sock);
        }
    }

    /** Sends $rawRequest as is and returns everything the server sends until EOF or $timeout. */
    public static function httpRequest(int $port, string $rawRequest, float $timeout = 5.0,
                                       string $host = '127.0.0.1'): string
    {
        $c = new self(self::open($host, $port, $timeout));
        $c->sendRaw($rawRequest, $timeout);
        $deadline = microtime(true) + $timeout;
        try {
            while ($c->fill($deadline)) {
            }
        } catch (RuntimeException $e) {
            // timeout: return what came
        }
        return $c->buf;
    }
}

/**
 * Runs a Python client from php-tests/clients/ (or any path) with the project's .venv.
 * Returns ['code' => int, 'stdout' => string, 'stderr' => string, 'timed_out' => bool];
 * a client still running after $timeout is killed and reported with code 124.
 */
function py_client(string $script, array $args = [], float $timeout = 60): array
{
    $py = __DIR__ . '/../../.venv/bin/python';
    if (!is_executable($py)) {
        $py = 'python3';
    }
    if ($script === '' || $script[0] !== '/') {
        $script = __DIR__ . '/../clients/' . $script;
    }
    $out = tempnam(sys_get_temp_dir(), 'swrs-py-');
    $err = tempnam(sys_get_temp_dir(), 'swrs-py-');
    mark_fds_cloexec();
    $proc = proc_open(array_merge([$py, $script], array_map('strval', $args)),
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', $out, 'w'], 2 => ['file', $err, 'w']],
        $pipes, null, child_env(['PYTHONUNBUFFERED' => '1']));
    if (!is_resource($proc)) {
        throw new RuntimeException("cannot run $py $script");
    }
    $deadline = microtime(true) + $timeout;
    $timedOut = false;
    while (true) {
        $st = proc_get_status($proc);
        if (!$st['running']) {
            $code = $st['signaled'] ? 128 + $st['termsig'] : $st['exitcode'];
            break;
        }
        if (microtime(true) >= $deadline) {
            send_signal($st['pid'], SIGKILL);
            $timedOut = true;
            $code = 124;
            break;
        }
        usleep(10000);
    }
    proc_close($proc);
    $res = [
        'code' => $code,
        'stdout' => (string)file_get_contents($out),
        'stderr' => (string)file_get_contents($err) . ($timedOut ? "\npy_client: killed after {$timeout}s\n" : ''),
        'timed_out' => $timedOut,
    ];
    @unlink($out);
    @unlink($err);
    return $res;
}
