--TEST--
client: echo round trips inside one run(), several clients one after another: text, empty, binary 1 MiB, a Frame object, a large compressible text; permessage-deflate on and off; setHeaders() and the path reach the server
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

use Swoole\Coroutine\Http\Client;
use Swoole\WebSocket\Frame;
use function Swoole\Coroutine\run;

$plain = free_port();
$srvPlain = ServerProcess::start(__DIR__ . '/servers/062_client_peer.php', [$plain]);
$deflate = free_port();
$srvDeflate = ServerProcess::start(__DIR__ . '/servers/062_client_peer.php', [$deflate, 'compress']);
$srvPlain->waitForListening($plain);
$srvDeflate->waitForListening($deflate);

function show(string $what, $f): void
{
    if (!$f instanceof Frame) {
        echo "$what: ", var_export($f, true), "\n";
        return;
    }
    $data = strlen($f->data) > 20 ? strlen($f->data) . ' bytes' : json_encode($f->data);
    printf("%s: %s opcode=%d flags=%d finish=%s data=%s\n", $what, get_class($f), $f->opcode, $f->flags,
        var_export($f->finish, true), $data);
}

$ret = run(function () use ($plain, $deflate, $srvPlain, $srvDeflate) {
    $binary = random_bytes(1 << 20);
    $text = str_repeat('swoole-rs compresses this text. ', 30000);
    $cases = [
        ['plain server, no offer', $plain, false, $srvPlain, 1],
        ['plain server, offer', $plain, true, $srvPlain, 2],
        ['deflate server, offer', $deflate, true, $srvDeflate, 1],
        ['deflate server, no offer', $deflate, false, $srvDeflate, 2],
    ];
    foreach ($cases as $i => [$what, $port, $compress, $srv, $fd]) {
        echo "== $what ==\n";
        $cli = new Client('127.0.0.1', $port);
        $cli->set(['websocket_compression' => $compress, 'timeout' => 10]);
        $cli->setHeaders(['X-Test' => "client-$i"]);
        var_dump($cli->upgrade("/echo?n=$i"));
        var_dump($cli->statusCode, $cli->connected);
        echo 'extensions: ', $cli->headers['sec-websocket-extensions'] ?? '-', "\n";

        var_dump($cli->push('hello'));
        show('text', $cli->recv());
        var_dump($cli->push('', WEBSOCKET_OPCODE_TEXT, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS));
        show('empty', $cli->recv());
        var_dump($cli->push($binary, WEBSOCKET_OPCODE_BINARY, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS));
        $f = $cli->recv();
        show('binary', $f);
        echo 'binary intact: ', var_export($f->data === $binary, true), "\n";
        $obj = new Frame;
        $obj->data = 'from a Frame object';
        var_dump($cli->push($obj));
        show('object', $cli->recv());
        var_dump($cli->push($text, WEBSOCKET_OPCODE_TEXT, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS));
        $f = $cli->recv();
        echo 'large text intact: ', var_export($f->data === $text, true), "\n";
        var_dump($cli->close(), $cli->connected);
        // One client after the other, also in the servers' output.
        $srv->waitForOutput("close fd=$fd\n");
    }
});
var_dump($ret);

var_dump($srvPlain->stop(), $srvDeflate->stop());
echo "--- plain server ---\n", $srvPlain->stdout(), $srvPlain->stderr();
echo "--- deflate server ---\n", $srvDeflate->stdout(), $srvDeflate->stderr();
?>
--EXPECT--
== plain server, no offer ==
bool(true)
int(101)
bool(true)
extensions: -
bool(true)
text: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data="hello"
bool(true)
empty: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data=""
bool(true)
binary: Swoole\WebSocket\Frame opcode=2 flags=1 finish=true data=1048576 bytes
binary intact: true
bool(true)
object: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data="from a Frame object"
bool(true)
large text intact: true
bool(true)
bool(false)
== plain server, offer ==
bool(true)
int(101)
bool(true)
extensions: -
bool(true)
text: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data="hello"
bool(true)
empty: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data=""
bool(true)
binary: Swoole\WebSocket\Frame opcode=2 flags=1 finish=true data=1048576 bytes
binary intact: true
bool(true)
object: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data="from a Frame object"
bool(true)
large text intact: true
bool(true)
bool(false)
== deflate server, offer ==
bool(true)
int(101)
bool(true)
extensions: permessage-deflate; client_max_window_bits=15
bool(true)
text: Swoole\WebSocket\Frame opcode=1 flags=7 finish=true data="hello"
bool(true)
empty: Swoole\WebSocket\Frame opcode=1 flags=7 finish=true data=""
bool(true)
binary: Swoole\WebSocket\Frame opcode=2 flags=7 finish=true data=1048576 bytes
binary intact: true
bool(true)
object: Swoole\WebSocket\Frame opcode=1 flags=7 finish=true data="from a Frame object"
bool(true)
large text intact: true
bool(true)
bool(false)
== deflate server, no offer ==
bool(true)
int(101)
bool(true)
extensions: -
bool(true)
text: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data="hello"
bool(true)
empty: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data=""
bool(true)
binary: Swoole\WebSocket\Frame opcode=2 flags=1 finish=true data=1048576 bytes
binary intact: true
bool(true)
object: Swoole\WebSocket\Frame opcode=1 flags=1 finish=true data="from a Frame object"
bool(true)
large text intact: true
bool(true)
bool(false)
bool(true)
int(0)
int(0)
--- plain server ---
open fd=1 path=/echo query=n=0 x-test=client-0
message fd=1 opcode=1 len=5
message fd=1 opcode=1 len=0
message fd=1 opcode=2 len=1048576
message fd=1 opcode=1 len=19
message fd=1 opcode=1 len=960000
close frame fd=1 code=1000 reason=
close fd=1
open fd=2 path=/echo query=n=1 x-test=client-1
message fd=2 opcode=1 len=5
message fd=2 opcode=1 len=0
message fd=2 opcode=2 len=1048576
message fd=2 opcode=1 len=19
message fd=2 opcode=1 len=960000
close frame fd=2 code=1000 reason=
close fd=2
--- deflate server ---
open fd=1 path=/echo query=n=2 x-test=client-2
message fd=1 opcode=1 len=5
message fd=1 opcode=1 len=0
message fd=1 opcode=2 len=1048576
message fd=1 opcode=1 len=19
message fd=1 opcode=1 len=960000
close frame fd=1 code=1000 reason=
close fd=1
open fd=2 path=/echo query=n=3 x-test=client-3
message fd=2 opcode=1 len=5
message fd=2 opcode=1 len=0
message fd=2 opcode=2 len=1048576
message fd=2 opcode=1 len=19
message fd=2 opcode=1 len=960000
close frame fd=2 code=1000 reason=
close fd=2
