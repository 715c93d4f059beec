--TEST--
client: invalid UTF-8 from a server (in a text frame, across fragments, in a close reason) fails recv() with errCode 508 and a 1007 close; valid text cut inside a code point across fragments arrives; disconnect($code, $reason) returns true and sends both; a server's close frame is echoed with its reason
--FILE--
<?php
require __DIR__ . '/lib/harness.php';
use Swoole\Coroutine\Http\Client;

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/073_raw_peer.php', [$port]);
$srv->waitForListening($port);

Co\run(function () use ($port, $srv) {
    $cases = [
        'text' => "8102c328",
        'fragments' => "0102616280" . "01ff",
        'close reason' => "880403e8fffe",
        'valid, cut in a code point' => "0102e28280" . "01ac",
    ];
    foreach ($cases as $what => $hex) {
        $c = new Client('127.0.0.1', $port);
        $c->set(['timeout' => 5]);
        var_dump($c->upgrade("/send/$hex"));
        $f = $c->recv();
        echo "$what: ", is_object($f) ? get_class($f) . ' ' . json_encode($f->data) : var_export($f, true),
            ", errCode {$c->errCode}\n";
        if (is_object($f)) {
            $c->disconnect(4000, 'done');
        }
        $c->close();
    }

    $c = new Client('127.0.0.1', $port);
    var_dump($c->upgrade('/echo-close'));
    var_dump($c->disconnect(4321, 'see you'));

    $c = new Client('127.0.0.1', $port);
    var_dump($c->upgrade('/send/' . bin2hex("\x88\x0c" . pack('n', 4001) . 'server bye')));
    $f = $c->recv();
    echo get_class($f), " {$f->code} {$f->reason}\n";
});
$srv->waitForOutput("client answered: opcode 8 code 4001");
var_dump($srv->stop());
echo $srv->stdout();
?>
--EXPECT--
bool(true)
text: false, errCode 508
bool(true)
fragments: false, errCode 508
bool(true)
close reason: false, errCode 508
bool(true)
valid, cut in a code point: Swoole\WebSocket\Frame "\u20ac", errCode 0
bool(true)
bool(true)
bool(true)
Swoole\WebSocket\CloseFrame 4001 server bye
int(0)
client answered: opcode 8 code 1007 reason ""
client answered: opcode 8 code 1007 reason ""
client answered: opcode 8 code 1007 reason ""
client answered: opcode 8 code 4000 reason "done"
client answered: opcode 8 code 4321 reason "see you"
client answered: opcode 8 code 4001 reason "server bye"
