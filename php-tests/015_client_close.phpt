--TEST--
foundation: client-initiated close: the server echoes code and reason (1000 'client bye', 4000 'x'), answers an empty close with an empty one (8800), hangs up, then onClose runs; server frames are never masked
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

/** Everything the server sends until it hangs up (RawWs has buffered nothing). */
function read_until_eof(RawWs $ws): string
{
    $sock = $ws->socket();
    $out = '';
    while (true) {
        $r = [$sock];
        $w = $e = null;
        if (!stream_select($r, $w, $e, 5)) {
            return bin2hex($out) . ' <still open after 5s>';
        }
        $d = fread($sock, 65536);
        if ($d === '' || $d === false) {
            if (feof($sock)) {
                return bin2hex($out) . ' EOF';
            }
            continue;
        }
        $out .= $d;
    }
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/010_echo_server.php', [$port]);
$srv->waitForListening($port);

$fd = 0;
foreach ([[1000, 'client bye'], [4000, 'x'], [null, '']] as [$code, $reason]) {
    $fd++;
    $ws = RawWs::connect($port);
    // A message first: its reply must be unmasked too.
    $ws->sendText("msg $fd");
    $f = $ws->recvFrame();
    printf("reply: opcode=%d masked=%s payload=%s\n", $f['opcode'], var_export($f['masked'], true), $f['payload']);
    $ws->sendFrame(WS_OP_CLOSE, $code === null ? '' : pack('n', $code) . $reason);
    echo "close ", $code ?? 'empty', ": ", read_until_eof($ws), "\n";
    unset($ws); // hang up too
    $srv->waitForOutput("client $fd closed\n");
}

// A real client closing with 4000 'x' sees the same code and reason come back.
$r = py_client('ws_client.py', ['--url', "ws://127.0.0.1:$port/", '--send', 'py', '--close', 4000, '--reason', 'x'], 20);
echo $r['stdout'];
$srv->waitForOutput("client 4 closed\n");

var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
reply: opcode=1 masked=false payload=this is server
close 1000: 880c03e8636c69656e7420627965 EOF
reply: opcode=1 masked=false payload=this is server
close 4000: 88030fa078 EOF
reply: opcode=1 masked=false payload=this is server
close empty: 8800 EOF
open: status=101 extensions=- subprotocol=-
recv: text this is server
closed: code=4000 reason=x
int(0)
server: handshake success with fd1
receive from 1:msg 1,opcode:1,fin:1
client 1 closed
server: handshake success with fd2
receive from 2:msg 2,opcode:1,fin:1
client 2 closed
server: handshake success with fd3
receive from 3:msg 3,opcode:1,fin:1
client 3 closed
server: handshake success with fd4
receive from 4:py,opcode:1,fin:1
client 4 closed
