<?php
// A scripted "WebSocket server" in plain PHP (no extension needed) on 127.0.0.1:argv[1],
// for client tests. After the 101 it acts on the request path:
//   /send/HEX     sends the bytes HEX, then prints the client's answer frame
//   /echo-close   prints the client's close frame and sends the same payload back
// "client answered: opcode N code C reason "R"" (or "client answered: EOF") goes to stdout.
$port = (int)($argv[1] ?? 0);
$server = stream_socket_server("tcp://127.0.0.1:$port", $errno, $errstr);
if ($server === false) {
    fwrite(STDERR, "listen: $errstr\n");
    exit(2);
}
if (function_exists('pcntl_signal')) {
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, function () {
        exit(0);
    });
}

/** Reads one masked client frame: [opcode, payload], or null on EOF. */
function read_frame($c): ?array
{
    $head = fread($c, 2);
    if ($head === false || strlen($head) < 2) {
        return null;
    }
    $len = ord($head[1]) & 0x7F;
    if ($len === 126) {
        $len = unpack('n', fread($c, 2))[1];
    } elseif ($len === 127) {
        $len = unpack('J', fread($c, 8))[1];
    }
    $key = fread($c, 4);
    $payload = '';
    while (strlen($payload) < $len && !feof($c)) {
        $payload .= fread($c, $len - strlen($payload));
    }
    return [ord($head[0]) & 0x0F, $payload ^ str_repeat($key, intdiv($len + 3, 4))];
}

function describe(?array $f): string
{
    if ($f === null) {
        return "client answered: EOF\n";
    }
    [$op, $p] = $f;
    if ($op !== 8) {
        return "client answered: opcode $op \"$p\"\n";
    }
    $code = strlen($p) >= 2 ? unpack('n', $p)[1] : '-';
    return "client answered: opcode 8 code $code reason \"" . substr($p, 2) . "\"\n";
}

while (true) {
    $c = @stream_socket_accept($server, -1);
    if ($c === false) {
        continue;
    }
    stream_set_timeout($c, 5);
    $head = '';
    while (strpos($head, "\r\n\r\n") === false && ($line = fgets($c)) !== false) {
        $head .= $line;
    }
    preg_match('#^GET (\S+)#', $head, $m);
    preg_match('/Sec-WebSocket-Key: (\S+)/i', $head, $k);
    $path = $m[1] ?? '';
    $accept = base64_encode(sha1(($k[1] ?? '') . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
    fwrite($c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Accept: $accept\r\n\r\n");
    if (str_starts_with($path, '/send/')) {
        fwrite($c, hex2bin(substr($path, 6)));
        echo describe(read_frame($c));
    } elseif ($path === '/echo-close') {
        $f = read_frame($c);
        echo describe($f);
        if ($f !== null) {
            fwrite($c, "\x88" . chr(strlen($f[1])) . $f[1]);
        }
    }
    // Until the client hangs up.
    while (read_frame($c) !== null) {
    }
    fclose($c);
}
