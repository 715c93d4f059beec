--TEST--
client: a fragmented message with a ping between its fragments comes back whole; server pings are answered with a pong and returned; ping() and PING Frames get PONGs; open_websocket_ping_frame / open_websocket_pong_frame => false skip them; the server's close comes back as a CloseFrame, then "" and the connection is gone
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

use Swoole\Coroutine\Http\Client;
use Swoole\WebSocket\Frame;
use function Swoole\Coroutine\run;

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/062_client_peer.php', [$port]);
$srv->waitForListening($port);

function show(string $what, $f): void
{
    if (!$f instanceof Frame) {
        echo "$what: ", var_export($f, true), "\n";
        return;
    }
    printf("%s: %s opcode=%d flags=%d data=%s%s\n", $what, get_class($f), $f->opcode, $f->flags,
        json_encode($f->data), $f instanceof Swoole\WebSocket\CloseFrame ? " code={$f->code} reason={$f->reason}" : '');
}

run(function () use ($port, $srv) {
    $cli = new Client('127.0.0.1', $port);
    $cli->set(['timeout' => 5]);
    var_dump($cli->upgrade('/'));

    echo "== fragments from the server, a ping in between ==\n";
    $cli->push('frag');
    show('first', $cli->recv());
    show('second', $cli->recv());
    $srv->waitForOutput("pong fd=1 data=mid\n");

    echo "== a ping from the server ==\n";
    $cli->push('ping-me');
    show('recv', $cli->recv());
    $srv->waitForOutput("pong fd=1 data=srv\n");

    echo "== our pings ==\n";
    var_dump($cli->ping('hello'));
    show('recv', $cli->recv());
    $ping = new Frame;
    $ping->opcode = WEBSOCKET_OPCODE_PING;
    $ping->data = 'as a Frame';
    var_dump($cli->push($ping));
    show('recv', $cli->recv());
    var_dump($cli->push('x', WEBSOCKET_OPCODE_PING));
    show('recv', $cli->recv());

    echo "== control frames turned off ==\n";
    $cli->set(['open_websocket_ping_frame' => false, 'open_websocket_pong_frame' => false]);
    $cli->push('ping-me');
    $cli->ping('unseen');
    $cli->push('after');
    show('recv', $cli->recv());
    $srv->waitForOutput("message fd=1 opcode=1 len=5\npong fd=1 data=srv\n");
    $cli->set(['open_websocket_ping_frame' => true, 'open_websocket_pong_frame' => true]);

    echo "== the server closes with 4000 bye ==\n";
    $cli->push('disconnect');
    show('recv', $cli->recv());
    var_dump($cli->connected);
    show('recv again', $cli->recv());
    var_dump($cli->errCode, $cli->errMsg);
    show('and again', $cli->recv());
    var_dump($cli->errCode, $cli->errMsg);
    var_dump($cli->push('too late'), $cli->errCode);
    var_dump($cli->close());
});

$srv->waitForOutput("close fd=1\n");
var_dump($srv->stop());
// Whether the server's onMessage also sees the close frame the client echoes depends on
// when the server ends the connection it closed: not the client's business.
echo "--- server ---\n", preg_replace('/^close frame fd=1 code=4000 reason=\n/m', '', $srv->stdout()), $srv->stderr();
?>
--EXPECT--
bool(true)
== fragments from the server, a ping in between ==
first: Swoole\WebSocket\Frame opcode=9 flags=1 data="mid"
second: Swoole\WebSocket\Frame opcode=1 flags=1 data="fragmented"
== a ping from the server ==
recv: Swoole\WebSocket\Frame opcode=9 flags=1 data="srv"
== our pings ==
bool(true)
recv: Swoole\WebSocket\Frame opcode=10 flags=1 data="hello"
bool(true)
recv: Swoole\WebSocket\Frame opcode=10 flags=1 data="as a Frame"
bool(true)
recv: Swoole\WebSocket\Frame opcode=10 flags=1 data="x"
== control frames turned off ==
recv: Swoole\WebSocket\Frame opcode=1 flags=1 data="after"
== the server closes with 4000 bye ==
recv: Swoole\WebSocket\CloseFrame opcode=8 flags=1 data="" code=4000 reason=bye
bool(false)
recv again: ''
int(0)
string(0) ""
and again: false
int(5001)
string(27) "connection is not available"
bool(false)
int(5001)
bool(false)
int(0)
--- server ---
open fd=1 path=/ query=- x-test=-
pong fd=1 data=mid
pong fd=1 data=srv
message fd=1 opcode=1 len=5
pong fd=1 data=srv
close fd=1
