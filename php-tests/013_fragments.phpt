--TEST--
foundation: a text message in three fragments (TEXT fin=0, CONT fin=0, CONT fin=1) reaches onMessage once, joined, fin:1; a ping between fragments gets its pong and never reaches onMessage
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

/** Exactly $n bytes off the socket, bypassing RawWs (whose own buffer must be empty). */
function read_bytes(RawWs $ws, int $n): string
{
    $sock = $ws->socket();
    $out = '';
    while (strlen($out) < $n) {
        $r = [$sock];
        $w = $e = null;
        if (!stream_select($r, $w, $e, 5)) {
            return $out . '<nothing more within 5s>';
        }
        $d = fread($sock, $n - strlen($out));
        if (($d === '' || $d === false) && feof($sock)) {
            return $out . '<EOF>';
        }
        $out .= $d;
    }
    return $out;
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/010_echo_server.php', [$port]);
$srv->waitForListening($port);

$ws = RawWs::connect($port);
$ws->sendFrame(WS_OP_TEXT, 'frag', false);
$ws->sendFrame(WS_OP_CONTINUATION, 'men', false);
$ws->sendFrame(WS_OP_PING, 'between');
$ws->sendFrame(WS_OP_CONTINUATION, 'ted', true);
// The pong (unmasked, same payload), then the reply to the one joined message. (RawWs may
// have read them while sending the last fragment, so they come from recvFrame().)
foreach ([1, 2] as $_) {
    $f = $ws->recvFrame();
    printf("fin=%d rsv=%d opcode=%d masked=%d payload=%s\n", $f['fin'], $f['rsv'], $f['opcode'], $f['masked'], $f['payload']);
}
$srv->waitForOutput("receive from 1:fragmented,opcode:1,fin:1\n");

// All the fragments in one write, and a one-frame message right after: state was reset.
// Nothing can arrive before this write, so the exact bytes can be read off the socket.
$ws->sendRaw(RawWs::buildFrame(WS_OP_TEXT, 'one ', false) . RawWs::buildFrame(WS_OP_CONTINUATION, 'two ', false)
    . RawWs::buildFrame(WS_OP_CONTINUATION, 'three', true) . RawWs::buildFrame(WS_OP_TEXT, 'single'));
echo bin2hex(read_bytes($ws, 32)), "\n";

var_dump($ws->close(1000, 'done'));
unset($ws); // hang up too
$srv->waitForOutput("client 1 closed\n");
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
fin=1 rsv=0 opcode=10 masked=0 payload=between
fin=1 rsv=0 opcode=1 masked=0 payload=this is server
810e7468697320697320736572766572810e7468697320697320736572766572
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(4) "done"
}
int(0)
server: handshake success with fd1
receive from 1:fragmented,opcode:1,fin:1
receive from 1:one two three,opcode:1,fin:1
receive from 1:single,opcode:1,fin:1
client 1 closed
