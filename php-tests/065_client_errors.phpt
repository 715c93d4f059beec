--TEST--
client: failures return false with errCode/errMsg/statusCode and never hang: connection refused (111, -1), a 403 from onHandShake (8504, statusCode 403, headers and body kept), an answer that is not HTTP (7102, -3), a wrong Sec-WebSocket-Accept (8504, 101), a handshake timeout (110, -2), EOF instead of an answer (104, -3), a masked frame from the server (508, close 1002 sent); push()/recv() without a connection
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

use Swoole\Coroutine\Http\Client;
use function Swoole\Coroutine\run;

$refused = free_port();
$p403 = free_port();
$srv403 = ServerProcess::start(__DIR__ . '/servers/065_handshake_403.php', [$p403]);
$raw = free_port();
$srvRaw = ServerProcess::start(__DIR__ . '/servers/065_raw_peer.php', [$raw]);
$srv403->waitForListening($p403);
$srvRaw->waitForListening($raw);

function attempt(string $what, int $port, string $path = '/', array $set = []): Client
{
    echo "== $what ==\n";
    $cli = new Client('127.0.0.1', $port);
    $cli->set($set + ['timeout' => 5]);
    $cli->setHeaders(['X-Test' => $what]);
    $t = microtime(true);
    $ok = $cli->upgrade($path);
    $dt = microtime(true) - $t;
    var_dump($ok);
    printf("statusCode=%d errCode=%d errMsg=%s connected=%s%s\n", $cli->statusCode, $cli->errCode,
        $cli->errMsg, var_export($cli->connected, true), $dt < 2 ? '' : sprintf(' (took %.1fs)', $dt));
    return $cli;
}

run(function () use ($refused, $p403, $raw) {
    $cli = new Client('127.0.0.1', $refused);
    echo "== push and recv before upgrade ==\n";
    var_dump($cli->push('x'), $cli->errCode, $cli->errMsg);
    var_dump($cli->recv(0.1), $cli->errCode, $cli->errMsg);

    attempt('connection refused', $refused);

    $cli = attempt('403 from onHandShake', $p403);
    var_dump($cli->headers['x-reason'], $cli->body);

    attempt('not HTTP', $raw, '/garbage');
    attempt('wrong accept key', $raw, '/bad-accept');
    $t = microtime(true);
    attempt('no answer, timeout 0.3', $raw, '/silent', ['timeout' => 0.3]);
    printf("bounded: %s\n", var_export(microtime(true) - $t < 2, true));
    attempt('EOF instead of an answer', $raw, '/eof');

    $cli = attempt('masked frame from the server', $raw, '/masked');
    var_dump($cli->recv(), $cli->errCode, $cli->errMsg, $cli->connected);
    var_dump($cli->push('x'), $cli->errCode);
});

$srvRaw->waitForOutput("client answered:");
var_dump($srv403->stop(), $srvRaw->stop());
echo "--- 403 server ---\n", $srv403->stdout(), $srv403->stderr();
echo "--- raw server ---\n", $srvRaw->stdout(), $srvRaw->stderr();
?>
--EXPECTF--
== push and recv before upgrade ==

Warning: Swoole\Coroutine\Http\Client::push(): websocket handshake failed, cannot push data in %s on line %d
bool(false)
int(8504)
string(44) "websocket handshake failed, cannot push data"
bool(false)
int(5001)
string(27) "connection is not available"
== connection refused ==
bool(false)
statusCode=-1 errCode=111 errMsg=Connection refused connected=false
== 403 from onHandShake ==
bool(false)
statusCode=403 errCode=8504 errMsg=WebSocket handshake failed: the server answered 403 Forbidden connected=false
string(9) "not today"
string(9) "forbidden"
== not HTTP ==
bool(false)
statusCode=-3 errCode=7102 errMsg=Invalid HTTP response: malformed response head connected=false
== wrong accept key ==
bool(false)
statusCode=101 errCode=8504 errMsg=WebSocket handshake failed: wrong Sec-WebSocket-Accept connected=false
== no answer, timeout 0.3 ==
bool(false)
statusCode=-2 errCode=110 errMsg=Connection timed out connected=false
bounded: true
== EOF instead of an answer ==
bool(false)
statusCode=-3 errCode=104 errMsg=Connection reset by peer connected=false
== masked frame from the server ==
bool(true)
statusCode=101 errCode=0 errMsg= connected=true
bool(false)
int(508)
string(54) "WebSocket protocol error: masked frame from the server"
bool(false)
bool(false)
int(5001)
int(0)
int(0)
--- 403 server ---
handshake refused: 403 from onHandShake
--- raw server ---
request /garbage
request /bad-accept
request /silent
request /eof
request /masked
client answered: opcode 8 code 1002
