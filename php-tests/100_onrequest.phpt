--TEST--
manual API: onRequest with Swoole\Http\Request (get, post, cookie, header, rawContent) and Response (status, header, write, end, close); keep-alive; chunked bodies; missing end() gets Swoole's 500
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/100_http.php', [$port]);
$srv->waitForPort($port);

/** Sends raw requests on one connection and returns the responses read until EOF or idle. */
function exchange(int $port, string $raw): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    fwrite($s, $raw);
    stream_set_timeout($s, 1);
    $out = '';
    while (!feof($s)) {
        $chunk = fread($s, 65536);
        if ($chunk === '' || $chunk === false) {
            $meta = stream_get_meta_data($s);
            if ($meta['timed_out']) {
                break;
            }
        }
        $out .= $chunk;
    }
    fclose($s);
    return $out;
}

function body_of(string $resp): string
{
    return substr($resp, strpos($resp, "\r\n\r\n") + 4);
}

// Query, cookies, headers, a form body.
$form = 'a=1&b%5B%5D=x&b%5B%5D=y&c=hello+world';
$r = exchange($port, "POST /dump?q=1&arr[k]=v HTTP/1.1\r\nHost: x\r\nX-Test: abc\r\nCookie: sid=42; theme=dark%20blue\r\n"
    . "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " . strlen($form) . "\r\nConnection: close\r\n\r\n$form");
echo strtok($r, "\r\n"), "\n";
var_dump(str_contains($r, "Content-Type: application/json\r\n"), str_contains($r, "Connection: close\r\n"));
echo body_of($r), "\n";

// Keep-alive: two requests on one connection, the second chunked.
$r = exchange($port, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n"
    . "POST /dump HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n");
$parts = explode("HTTP/1.1 ", $r);
echo "responses: ", count($parts) - 1, "\n";
echo 'first: ', strtok($parts[1], "\r\n"), ' custom=', str_contains($parts[1], "X-Custom: yes\r\n") ? 'yes' : 'no', ' body=', body_of($parts[1]), "\n";
echo 'second raw: ', json_decode(body_of($parts[2]), true)['raw'], "\n";

// write() sends chunks; end() finishes them.
$r = exchange($port, "GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
var_dump(str_contains($r, "Transfer-Encoding: chunked\r\n"));
echo json_encode(body_of($r)), "\n";

// A callback that never calls end(): an empty 500, as Swoole sends.
$r = exchange($port, "GET /noend HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
echo strtok($r, "\r\n"), "\n";
var_dump(str_contains($r, "Content-Length: 0\r\n"));

// close(): no response at all.
var_dump(exchange($port, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n"));

// Malformed request line: 400 page.
echo strtok(exchange($port, "\x01\x02 nonsense\r\n\r\n"), "\r\n"), "\n";

var_dump($srv->stop());
$out = $srv->stdout();
// Six exchanges plus the probe connection of waitForPort.
echo "closes: ", substr_count($out, "close "), "\n";
echo preg_replace('/^close \d+\n/m', '', $out);
?>
--EXPECT--
HTTP/1.1 200 OK
bool(true)
bool(true)
{"fd":true,"method":"POST","uri":"\/dump","query":"q=1&arr[k]=v","get":{"q":"1","arr":{"k":"v"}},"post":{"a":"1","b":["x","y"],"c":"hello world"},"cookie":{"sid":"42","theme":"dark blue"},"x-test":"abc","raw":"a=1&b%5B%5D=x&b%5B%5D=y&c=hello+world","same":true}
responses: 2
first: 404 Not Found custom=yes body=not here
second raw: Wikipedia
bool(true)
"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"
HTTP/1.1 500 Internal Server Error
bool(true)
string(0) ""
HTTP/1.1 400 Bad Request
int(0)
closes: 7
bool(true)
bool(false)
