--TEST--
foundation: a server on ::1 serves a websockets client connecting to [::1]
--SKIPIF--
<?php
$s = @stream_socket_server('tcp://[::1]:0', $errno, $errstr);
if ($s === false) {
    die("skip no IPv6 loopback ($errstr)");
}
fclose($s);
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

/** A server frame's payload (server frames must never be masked). */
function payload(?array $f): string
{
    if ($f === null) {
        return '<connection closed>';
    }
    return ($f['masked'] ? '<MASKED FRAME> ' : '') . $f['payload'];
}

// free_port() asks on 127.0.0.1; make sure the port is free on ::1 too.
do {
    $port = free_port();
    $probe = @stream_socket_server("tcp://[::1]:$port");
} while ($probe === false);
fclose($probe);

$srv = ServerProcess::start(__DIR__ . '/servers/010_echo_server.php', [$port, '::1']);
$srv->waitForListening($port);

$r = py_client('ws_client.py', ['--url', "ws://[::1]:$port/", '--send', 'hello over v6'], 20);
echo $r['stdout'];
var_dump($r['code']);

// RawWs too, by the bracketed address.
$ws = RawWs::connect($port, '/', [], '[::1]');
$ws->sendText('raw v6');
echo payload($ws->recvFrame()), "\n";
var_dump($ws->close(1000, 'v6 bye'));
unset($ws);

$srv->waitForOutput("client 2 closed\n");
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
open: status=101 extensions=- subprotocol=-
recv: text this is server
closed: code=1000 reason=
int(0)
this is server
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(6) "v6 bye"
}
int(0)
server: handshake success with fd1
receive from 1:hello over v6,opcode:1,fin:1
client 1 closed
server: handshake success with fd2
receive from 2:raw v6,opcode:1,fin:1
client 2 closed
