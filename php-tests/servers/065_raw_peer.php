<?php
// A misbehaving "WebSocket server" in plain PHP (no extension needed), on 127.0.0.1:argv[1].
// For each connection it reads the request head, then acts on the request path:
//   /garbage     answers bytes that are not HTTP
//   /bad-accept  answers 101 with a wrong Sec-WebSocket-Accept
//   /masked      completes the upgrade, then sends a masked frame (forbidden from servers)
//                and prints the close frame the client answers with
//   /silent      never answers
//   /eof         closes the connection without answering
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
$silent = [];
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
    echo "request $path\n";
    $accept = base64_encode(sha1(($k[1] ?? '') . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
    $ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    switch ($path) {
        case '/garbage':
            fwrite($c, "SSH-2.0-OpenSSH_9.2\r\nProtocol mismatch.\r\n\r\n");
            break;
        case '/bad-accept':
            fwrite($c, $ok . "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
            break;
        case '/masked':
            fwrite($c, $ok . "Sec-WebSocket-Accept: $accept\r\n\r\n");
            fwrite($c, "\x81\x82abcd" . ("hi" ^ "ab"));
            // The client's answer: a masked close frame; print its opcode and code.
            $reply = (string)fread($c, 64);
            if (strlen($reply) >= 8) {
                $payload = substr($reply, 6, ord($reply[1]) & 0x7F) ^ substr($reply, 2, 4);
                printf("client answered: opcode %d code %d\n", ord($reply[0]) & 0x0F, unpack('n', $payload)[1]);
            } else {
                echo "client answered: ", bin2hex($reply), "\n";
            }
            break;
        case '/silent':
            $silent[] = $c;
            continue 2;
        case '/eof':
            break;
    }
    fclose($c);
}
