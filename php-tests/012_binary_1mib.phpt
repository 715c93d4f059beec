--TEST--
foundation: a 1 MiB binary message both ways (websockets client, and byte-exact with RawWs): pushed back with WEBSOCKET_OPCODE_BINARY, bytes identical, $frame->data is the raw bytes
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/012_binary_echo.php', [$port]);
$srv->waitForPort($port);

// A real client: 1 MiB of random bytes, echoed byte for byte as a binary message.
$r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--binary-size', 1 << 20, '--expect-echo', '--timeout', 5], 30);
echo preg_replace('/sha1=\w+/', 'sha1=...', $r['stdout']);
var_dump($r['code']);
preg_match('/sha1=(\w+)/', $r['stdout'], $m);
try {
    $srv->waitForOutput("bool(true)\n", 5.0);
} catch (RuntimeException $e) {
    echo "the server's onMessage did not run within 5s\n";
}
// What onMessage saw has the sha1 the client computed over what it got back.
echo str_replace($m[1] ?? '-', '<sha1 of the echo>', $srv->stdout());

// Byte-exact: the server's frame is FIN|BINARY, unmasked, with a 64-bit length.
$data = random_bytes(1 << 20);
$ws = RawWs::connect($port);
$ws->sendBinary($data);
try {
    $f = $ws->recvFrame(5);
    printf("fin=%d rsv=%d opcode=%d masked=%d len=%d same=%s\n", $f['fin'], $f['rsv'], $f['opcode'],
        $f['masked'], strlen($f['payload']), var_export($f['payload'] === $data, true));
} catch (RuntimeException $e) {
    echo "RawWs: no echo within 5s\n";
}

// The exact header bytes, read straight off the socket.
$ws2 = RawWs::connect($port);
$ws2->sendBinary(str_repeat("\xff", 1 << 20));
$raw = '';
$sock = $ws2->socket();
while (strlen($raw) < 10 + (1 << 20)) {
    $rd = [$sock];
    $w = $e = null;
    if (!stream_select($rd, $w, $e, 5)) {
        break;
    }
    $chunk = fread($sock, 1 << 20);
    if ($chunk === '' || $chunk === false) {
        break;
    }
    $raw .= $chunk;
}
echo 'header: ', bin2hex(substr($raw, 0, 10)), ' total: ', strlen($raw),
    ' payload all ff: ', var_export(substr($raw, 10) === str_repeat("\xff", 1 << 20), true), "\n";

unset($ws, $ws2);
var_dump($srv->stop());
// Both RawWs messages reached onMessage whole.
echo substr_count($srv->stdout(), "opcode=2 type=string len=1048576 sha1="), " messages of 1 MiB in all\n";
echo $srv->stderr();
?>
--EXPECTF--
open: status=101 extensions=- subprotocol=-
recv: binary 1048576 bytes sha1=...
echo: ok
closed: code=1000 reason=
int(0)
message fd=%d opcode=2 type=string len=1048576 sha1=<sha1 of the echo>
bool(true)
fin=1 rsv=0 opcode=2 masked=0 len=1048576 same=true
header: 827f0000000000100000 total: 1048586 payload all ff: true
int(0)
3 messages of 1 MiB in all
