--TEST--
ordered close: a message and then a close frame, a protocol error (1002, 1007) or the client's FIN in the same write: the replies PHP pushes for the messages arrive before the close (a client that sends and half-closes gets its replies)
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/070_ordered_close.php', [$port]);
$srv->waitForListening($port);

$endings = [
    'close frame' => RawWs::buildFrame(WS_OP_CLOSE, pack('n', 1000)),
    'reserved opcode' => RawWs::buildFrame(3, ''),
    'invalid UTF-8' => RawWs::buildFrame(WS_OP_TEXT, "ok \xff"),
    'unmasked frame' => RawWs::buildFrame(WS_OP_TEXT, 'x', true, false),
    'FIN' => '',
];
foreach ($endings as $what => $ending) {
    $seen = [];
    for ($i = 0; $i < 10; $i++) {
        $ws = RawWs::connect($port);
        $ws->sendRaw(RawWs::buildFrame(WS_OP_TEXT, 'one') . RawWs::buildFrame(WS_OP_BINARY, 'two') . $ending);
        if ($ending === '') {
            stream_socket_shutdown($ws->socket(), STREAM_SHUT_WR);
        }
        $got = [];
        while (($f = $ws->recvFrame(5)) !== null) {
            $got[] = $f['opcode'] === WS_OP_CLOSE
                ? 'close ' . unpack('n', $f['payload'])[1]
                : "{$f['opcode']}:{$f['payload']}";
        }
        $got[] = 'EOF';
        $seen[implode(', ', $got)] = ($seen[implode(', ', $got)] ?? 0) + 1;
    }
    foreach ($seen as $got => $n) {
        echo "$what: $got ($n of 10)\n";
    }
}
var_dump($srv->stop());
?>
--EXPECT--
close frame: 1:re:one, 2:re:two, close 1000, EOF (10 of 10)
reserved opcode: 1:re:one, 2:re:two, close 1002, EOF (10 of 10)
invalid UTF-8: 1:re:one, 2:re:two, close 1007, EOF (10 of 10)
unmasked frame: 1:re:one, 2:re:two, close 1002, EOF (10 of 10)
FIN: 1:re:one, 2:re:two, EOF (10 of 10)
int(0)
