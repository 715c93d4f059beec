--TEST--
api: a custom onHandShake still negotiates permessage-deflate with websocket_compression on; onBeforeHandShakeResponse adds to Swoole's own 101; cookie()/rawcookie()/setCookie() on the 101 and on HTTP responses
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

function show_head(RawWs $ws): void
{
    foreach (['Sec-WebSocket-Extensions', 'Set-Cookie', 'X-Before'] as $h) {
        echo "  $h: ", $ws->header($h) ?? '-', "\n";
    }
}

/** A text message through the connection; says whether the reply came compressed. */
function echo_once(RawWs $ws, string $text): void
{
    $ws->sendText($text);
    $f = $ws->recvFrame();
    $data = $f['rsv'] & 4
        ? inflate_add(inflate_init(ZLIB_ENCODING_RAW), $f['payload'] . "\x00\x00\xff\xff", ZLIB_SYNC_FLUSH)
        : $f['payload'];
    echo '  echo ', $data === $text ? 'ok' : 'WRONG', ', ', $f['rsv'] & 4 ? 'compressed' : 'plain', "\n";
}

$offer = ['Sec-WebSocket-Extensions' => 'permessage-deflate; client_max_window_bits'];
$text = str_repeat('compress me ', 50);

foreach (['custom', 'before'] as $mode) {
    echo "$mode:\n";
    $port = free_port();
    $srv = ServerProcess::start(__DIR__ . '/servers/084_handshake_extras.php', [$port, $mode]);
    $srv->waitForListening($port);

    $ws = RawWs::connect($port, '/chat', $offer);
    show_head($ws);
    echo_once($ws, $text);
    $ws->close();

    // No offer: no extension, nothing compressed.
    $plain = RawWs::connect($port, '/');
    show_head($plain);
    echo_once($plain, $text);
    $plain->close();

    // A real client with its own permessage-deflate.
    $r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--compression', '--send', $text, '--expect-echo']);
    echo '  python: ', preg_replace('/^recv: .*\n/m', '', $r['stdout']), '  exit ', $r['code'], "\n";

    if ($mode === 'before') {
        // The checks of Swoole's own handshake still apply.
        $bad = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        echo '  no key: ', strtok($bad, "\r\n"), "\n";
        $http = RawWs::httpRequest($port, "GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        preg_match_all('/^Set-Cookie: (.*)\r$/m', $http, $m);
        echo "  http cookies:\n    ", implode("\n    ", $m[1]), "\n";
    }
    var_dump($srv->stop());
    echo $srv->stdout(), $srv->stderr();
}
?>
--EXPECTF--
custom:
  Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15
  Set-Cookie: sid=a+b%2Fc; path=/; httponly
  X-Before: -
  echo ok, compressed
  Sec-WebSocket-Extensions: -
  Set-Cookie: sid=a+b%2Fc; path=/; httponly
  X-Before: -
  echo ok, plain
  python: open: status=101 extensions=permessage-deflate%s
echo: ok
closed: code=1000 reason=
  exit 0
int(0)
before:
  Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15
  Set-Cookie: token=x%20y; path=/chat; domain=example.com; secure; httponly; samesite=Strict
  X-Before: yes
  echo ok, compressed
  Sec-WebSocket-Extensions: -
  Set-Cookie: token=x%20y; path=/chat; domain=example.com; secure; httponly; samesite=Strict
  X-Before: yes
  echo ok, plain
  python: open: status=101 extensions=permessage-deflate%s
echo: ok
closed: code=1000 reason=
  exit 0
  no key: HTTP/1.1 400 Bad Request
  http cookies:
    gone=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/
    old=v; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/
    full=%C3%A9%26; path=/p; domain=d.example; secure; httponly; samesite=Lax; priority=High; partitioned
int(0)
before handshake response fd=1 path=/chat
open 1
before handshake response fd=2 path=/
open 2
before handshake response fd=3 path=/
open 3

Warning: Swoole\Http\Response::cookie(): Cookie names cannot contain any of the following '=,; \t\r\n\013\014' in %s on line %d
bool(false)

Warning: Swoole\Http\Response::rawcookie(): Cookie values cannot contain any of the following ',; \t\r\n\013\014' in %s on line %d
bool(false)
