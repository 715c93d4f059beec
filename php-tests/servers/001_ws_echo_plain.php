<?php
// Harness self-test server (no extension needed): a minimal WebSocket echo server in plain
// PHP, one connection at a time, on 127.0.0.1:PORT. Echoes text/binary messages (fragments
// joined into one frame), answers ping with pong, echoes the close frame and hangs up.
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

function read_n($c, int $n): string
{
    $out = '';
    while (strlen($out) < $n) {
        $d = fread($c, $n - strlen($out));
        if ($d === false || $d === '') {
            if (feof($c) || stream_get_meta_data($c)['timed_out']) {
                throw new RuntimeException('eof');
            }
            continue;
        }
        $out .= $d;
    }
    return $out;
}

function frame(int $opcode, string $payload): string
{
    $len = strlen($payload);
    $h = chr(0x80 | $opcode);
    if ($len < 126) {
        $h .= chr($len);
    } elseif ($len < 65536) {
        $h .= chr(126) . pack('n', $len);
    } else {
        $h .= chr(127) . pack('J', $len);
    }
    return $h . $payload;
}

function serve($c): void
{
    $head = '';
    while (strpos($head, "\r\n\r\n") === false) {
        $line = fgets($c);
        if ($line === false) {
            return; // a port probe: connected and hung up
        }
        $head .= $line;
    }
    if (!preg_match('/^Sec-WebSocket-Key:\s*(\S+)/mi', $head, $m)) {
        fwrite($c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        echo "bad request\n";
        return;
    }
    $accept = base64_encode(sha1($m[1] . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
    fwrite($c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Accept: $accept\r\n\r\n");
    echo "open\n";
    $message = '';
    $messageOp = 0;
    while (true) {
        [$b0, $b1] = array_values(unpack('C2', read_n($c, 2)));
        $len = $b1 & 0x7F;
        if ($len === 126) {
            $len = unpack('n', read_n($c, 2))[1];
        } elseif ($len === 127) {
            $len = unpack('J', read_n($c, 8))[1];
        }
        $key = ($b1 & 0x80) ? read_n($c, 4) : "\0\0\0\0";
        $payload = $len ? read_n($c, $len) ^ str_repeat($key, intdiv($len + 3, 4)) : '';
        $op = $b0 & 0x0F;
        if ($op === 0x8) {
            fwrite($c, frame(0x8, $payload));
            echo "close ", strlen($payload) >= 2 ? unpack('n', $payload)[1] : '-', "\n";
            return;
        }
        if ($op === 0x9) {
            fwrite($c, frame(0xA, $payload));
            continue;
        }
        if ($op === 0x1 || $op === 0x2) {
            $messageOp = $op;
            $message = '';
        }
        $message .= $payload;
        if ($b0 & 0x80) {
            fwrite($c, frame($messageOp, $message));
            echo 'message ', $messageOp === 1 ? 'text' : 'binary', ' ', strlen($message), "\n";
        }
    }
}

echo "listening on $port\n";
while (true) {
    $r = [$server];
    $w = $e = null;
    if (!@stream_select($r, $w, $e, 0, 100000)) {
        continue;
    }
    $c = @stream_socket_accept($server, 0);
    if ($c === false) {
        continue;
    }
    stream_set_timeout($c, 10);
    try {
        serve($c);
    } catch (RuntimeException $e) {
        echo "connection ended\n";
    }
    fclose($c);
}
