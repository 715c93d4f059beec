--TEST--
foundation: ping/pong: a client ping gets a pong with the same payload (websockets client, and exact bytes with RawWs), no onMessage; an unsolicited pong gets nothing back
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

/** Exactly $n bytes off the socket (RawWs has buffered nothing after the handshake). */
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

// A real client: pings with a payload, an empty one and a 125-byte one, then a pong.
$r = py_client('ping_client.py', ["ws://127.0.0.1:$port/"], 30);
echo $r['stdout'];
var_dump($r['code']);
$srv->waitForOutput("client 1 closed\n");

// Exact bytes: ping 'pp' -> 8a027070; an unsolicited pong 'qq' -> nothing, so the next
// bytes are the reply to the text sent after it.
$ws = RawWs::connect($port);
$ws->sendFrame(WS_OP_PING, 'pp');
echo bin2hex(read_bytes($ws, 4)), "\n";
$ws->sendFrame(WS_OP_PING, '');
echo bin2hex(read_bytes($ws, 2)), "\n";
$ws->sendFrame(WS_OP_PONG, 'qq');
$ws->sendText('after qq');
echo bin2hex(read_bytes($ws, 16)), "\n";
var_dump($ws->close(1000, ''));
unset($ws); // hang up too
$srv->waitForOutput("client 2 closed\n");

var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
ping 'hello ping': pong ok
ping '': pong ok
ping 125 bytes: pong ok
pong sent
recv: this is server
closed: code=1000
int(0)
8a027070
8a00
810e7468697320697320736572766572
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
int(0)
server: handshake success with fd1
receive from 1:after pong,opcode:1,fin:1
client 1 closed
server: handshake success with fd2
receive from 2:after qq,opcode:1,fin:1
client 2 closed
