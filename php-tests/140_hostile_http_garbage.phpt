--TEST--
hostile input: malformed request lines, bad header lines and garbage instead of HTTP get the 400 page (413 for a body over package_max_length) and a closed connection, while a healthy WebSocket client keeps being served
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);

$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

mt_srand(140);
$random = '';
for ($i = 0; $i < 512; $i++) {
    $random .= chr(mt_rand(0, 255));
}
// A TLS 1.2 ClientHello's first bytes, as a client that speaks TLS to a plain port sends.
$clientHello = hex2bin('16030100a5010000a10303') . str_repeat("\x42", 32) . "\x00\x00\x02\xc0\x2f\x01\x00";

$cases = [
    'a word, no request line' => "GARBAGE\r\n\r\n",
    'NUL and control bytes' => "\x00\x01\x02\x03\x04\r\n\r\n",
    '512 random bytes' => $random,
    'TLS ClientHello' => $clientHello,
    'method only' => "GET\r\n\r\n",
    'no version' => "GET /\r\n\r\n",
    'HTTP/2.0' => "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    'HTTP/1.1x' => "GET / HTTP/1.1x\r\nHost: x\r\n\r\n",
    'words after the version' => "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    'space inside the target' => "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    'lower-case http' => "GET / http/1.1\r\nHost: x\r\n\r\n",
    'header line without a colon' => "GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
    'space in a header name' => "GET / HTTP/1.1\r\nBad Key: v\r\n\r\n",
    'space before the colon' => "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    'parenthesis in a header name' => "GET / HTTP/1.1\r\nX(y): z\r\n\r\n",
    'empty header name' => "GET / HTTP/1.1\r\n: novalue\r\n\r\n",
    'non-ASCII header name' => "GET / HTTP/1.1\r\nX-\xc3\xa9: v\r\n\r\n",
    'NUL in a header value' => "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    'obsolete line folding' => "GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n",
    'Content-Length not a number' => "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    'Content-Length negative' => "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    'Content-Length past 2^64' => "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n",
    'two different Content-Lengths' => "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    'bad chunk size' => "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    'chunk without its CRLF' => "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n",
    'chunk size past 2^64' => "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
    'Content-Length over package_max_length' => "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
    'chunk over package_max_length' => "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\n",
];

$page400 = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html; charset=UTF-8\r\n"
    . "Cache-Control: must-revalidate,no-cache,no-store\r\nContent-Length: 83\r\nServer: swoole-http-server\r\n\r\n"
    . "<html><body><h2>HTTP 400 Bad Request</h2><hr><i>Powered by Swoole</i></body></html>";

foreach ($cases as $what => $bytes) {
    [$resp, $closed] = http_exchange($port, $bytes);
    $fd++;
    $page = $resp === $page400 ? ' (the 400 page)' : '';
    printf("%-40s %s%s, %s\n", "$what:", status_line($resp), $page, $closed ? 'closed' : 'STILL OPEN');
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

// A request followed at once by a half-close (FIN): the request still gets its answer.
$answered = 0;
for ($i = 0; $i < 10; $i++) {
    [$resp, $closed] = http_exchange($port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5.0, true);
    $answered += (int)($resp === $page400 && $closed);
    $srv->waitForOutput('close ' . (++$fd) . "\n");
}
echo "plain GET then FIN: answered with the 400 page $answered of 10 times\n";

echo "healthy client at the end: ";
$healthy->check('end');
echo "ok\n";
echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
// No handshake happened on any bad connection: only the two good clients were opened.
echo "opened: ", count_lines($srv, 'open '), ", closed: ", count_lines($srv, 'close '), "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
a word, no request line:                 HTTP/1.1 400 Bad Request (the 400 page), closed
NUL and control bytes:                   HTTP/1.1 400 Bad Request (the 400 page), closed
512 random bytes:                        HTTP/1.1 400 Bad Request (the 400 page), closed
TLS ClientHello:                         HTTP/1.1 400 Bad Request (the 400 page), closed
method only:                             HTTP/1.1 400 Bad Request (the 400 page), closed
no version:                              HTTP/1.1 400 Bad Request (the 400 page), closed
HTTP/2.0:                                HTTP/1.1 400 Bad Request (the 400 page), closed
HTTP/1.1x:                               HTTP/1.1 400 Bad Request (the 400 page), closed
words after the version:                 HTTP/1.1 400 Bad Request (the 400 page), closed
space inside the target:                 HTTP/1.1 400 Bad Request (the 400 page), closed
lower-case http:                         HTTP/1.1 400 Bad Request (the 400 page), closed
header line without a colon:             HTTP/1.1 400 Bad Request (the 400 page), closed
space in a header name:                  HTTP/1.1 400 Bad Request (the 400 page), closed
space before the colon:                  HTTP/1.1 400 Bad Request (the 400 page), closed
parenthesis in a header name:            HTTP/1.1 400 Bad Request (the 400 page), closed
empty header name:                       HTTP/1.1 400 Bad Request (the 400 page), closed
non-ASCII header name:                   HTTP/1.1 400 Bad Request (the 400 page), closed
NUL in a header value:                   HTTP/1.1 400 Bad Request (the 400 page), closed
obsolete line folding:                   HTTP/1.1 400 Bad Request (the 400 page), closed
Content-Length not a number:             HTTP/1.1 400 Bad Request (the 400 page), closed
Content-Length negative:                 HTTP/1.1 400 Bad Request (the 400 page), closed
Content-Length past 2^64:                HTTP/1.1 400 Bad Request (the 400 page), closed
two different Content-Lengths:           HTTP/1.1 400 Bad Request (the 400 page), closed
bad chunk size:                          HTTP/1.1 400 Bad Request (the 400 page), closed
chunk without its CRLF:                  HTTP/1.1 400 Bad Request (the 400 page), closed
chunk size past 2^64:                    HTTP/1.1 400 Bad Request (the 400 page), closed
Content-Length over package_max_length:  HTTP/1.1 413 Payload Too Large, closed
chunk over package_max_length:           HTTP/1.1 413 Payload Too Large, closed
plain GET then FIN: answered with the 400 page 10 of 10 times
healthy client at the end: ok
new client: alive
opened: 2, closed: 40
int(0)
