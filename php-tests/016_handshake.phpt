--TEST--
foundation: handshake: exact 101 head for the RFC sample key; 400 for a bad or missing key; Swoole's 400 page for a plain GET; 426 for Sec-WebSocket-Version: 8; a missing version is accepted
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

/** Sends $req on a new connection and reads the response head (through the blank line). */
function upgrade(int $port, string $req): array
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    fwrite($s, $req);
    stream_set_timeout($s, 5);
    $head = '';
    while (strpos($head, "\r\n\r\n") === false) {
        $line = fgets($s);
        if ($line === false) {
            break;
        }
        $head .= $line;
    }
    return [$s, $head];
}

function show(string $response): string
{
    $n = 0;
    $out = preg_replace('/\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/',
        "\r\nDate: <valid date>\r\n", $response, -1, $n);
    return str_replace("\r\n", "\\r\\n\n", $out);
}

function request(int $port, array $headers): string
{
    return "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n" . implode('', array_map(fn($h) => "$h\r\n", $headers)) . "\r\n";
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/010_echo_server.php', [$port]);
$srv->waitForListening($port);
$fd = 0;

echo "== RFC 6455 sample key ==\n";
[$s, $head] = upgrade($port, request($port, ['Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']));
echo show($head);
$fd++;
$srv->waitForOutput("server: handshake success with fd$fd\n");
// The connection works: a masked text frame, and its unmasked reply.
fwrite($s, RawWs::buildFrame(WS_OP_TEXT, 'after handshake'));
echo bin2hex((string)stream_get_contents($s, 16)), "\n";
fclose($s);
$srv->waitForOutput("client $fd closed\n");

foreach ([
    "bad key 'abc'" => ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: abc', 'Sec-WebSocket-Version: 13'],
    "bad key 'AAAAAAAAAAA=' (8 bytes)" => ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: AAAAAAAAAAA=', 'Sec-WebSocket-Version: 13'],
    'missing key' => ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13'],
] as $what => $headers) {
    echo "== $what ==\n";
    $resp = RawWs::httpRequest($port, request($port, $headers));
    // The status, and the server hung up (httpRequest reads until EOF).
    echo strtok($resp, "\r\n"), "\n";
    $fd++;
    $srv->waitForOutput("client $fd closed\n");
}

echo "== plain GET, no Upgrade ==\n";
echo show(RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n\r\n")), "\n";
$fd++;
$srv->waitForOutput("client $fd closed\n");

echo "== Sec-WebSocket-Version: 8 ==\n";
$resp = RawWs::httpRequest($port, request($port, ['Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 8']));
echo strtok($resp, "\r\n"), "\n";
echo preg_match('/\r\nSec-WebSocket-Version: 13\r\n/i', $resp) ? "Sec-WebSocket-Version: 13 offered\n" : "no Sec-WebSocket-Version: 13 in:\n$resp\n";
$fd++;
$srv->waitForOutput("client $fd closed\n");

echo "== no Sec-WebSocket-Version ==\n";
[$s, $head] = upgrade($port, request($port, ['Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']));
echo show($head);
$fd++;
$srv->waitForOutput("server: handshake success with fd$fd\n");
fclose($s);
$srv->waitForOutput("client $fd closed\n");

var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
== RFC 6455 sample key ==
HTTP/1.1 101 Switching Protocols\r\n
Upgrade: websocket\r\n
Connection: Upgrade\r\n
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n
Sec-WebSocket-Version: 13\r\n
Server: swoole-http-server\r\n
Date: <valid date>\r\n
\r\n
810e7468697320697320736572766572
== bad key 'abc' ==
HTTP/1.1 400 Bad Request
== bad key 'AAAAAAAAAAA=' (8 bytes) ==
HTTP/1.1 400 Bad Request
== missing key ==
HTTP/1.1 400 Bad Request
== plain GET, no Upgrade ==
HTTP/1.1 400 Bad Request\r\n
Connection: close\r\n
Content-Type: text/html; charset=UTF-8\r\n
Cache-Control: must-revalidate,no-cache,no-store\r\n
Content-Length: 83\r\n
Server: swoole-http-server\r\n
\r\n
<html><body><h2>HTTP 400 Bad Request</h2><hr><i>Powered by Swoole</i></body></html>
== Sec-WebSocket-Version: 8 ==
HTTP/1.1 426 Upgrade Required
Sec-WebSocket-Version: 13 offered
== no Sec-WebSocket-Version ==
HTTP/1.1 101 Switching Protocols\r\n
Upgrade: websocket\r\n
Connection: Upgrade\r\n
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n
Sec-WebSocket-Version: 13\r\n
Server: swoole-http-server\r\n
Date: <valid date>\r\n
\r\n
int(0)
server: handshake success with fd1
receive from 1:after handshake,opcode:1,fin:1
client 1 closed
client 2 closed
client 3 closed
client 4 closed
client 5 closed
client 6 closed
server: handshake success with fd7
client 7 closed
