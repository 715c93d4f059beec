--TEST--
foundation: two websockets clients connected at once, interleaved messages, each gets its own replies; fds distinct
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/011_echo_fd.php', [$port]);
$srv->waitForListening($port);

$r = py_client('two_clients.py', ["ws://127.0.0.1:$port/", 20], 20);
echo $r['stdout'];
var_dump($r['code']);
if ($r['code'] !== 0) {
    echo $r['stderr'];
}

$srv->waitForOutput("close 1\n");
$srv->waitForOutput("close 2\n");
var_dump($srv->stop());

// Messages of different connections may interleave in any order on the server; those of
// one connection must keep theirs.
$lines = explode("\n", rtrim($srv->stdout(), "\n"));
foreach ([1, 2] as $fd) {
    $mine = array_values(array_filter($lines, fn($l) => preg_match("/^\\w+ $fd( |\$)/", $l)));
    echo "fd $fd: ", implode(', ', $mine), "\n";
}
echo 'other lines: ', count($lines) - count(array_filter($lines, fn($l) => preg_match('/^\w+ [12]( |$)/', $l))), "\n";
echo $srv->stderr();
?>
--EXPECT--
A open
B open
A: 20 replies from fd 1, in order
B: 20 replies from fd 2, in order
A closed: code=1000
B closed: code=1000
int(0)
int(0)
fd 1: open 1, message 1 a1, message 1 a2, message 1 a3, message 1 a4, message 1 a5, message 1 a6, message 1 a7, message 1 a8, message 1 a9, message 1 a10, message 1 a11, message 1 a12, message 1 a13, message 1 a14, message 1 a15, message 1 a16, message 1 a17, message 1 a18, message 1 a19, message 1 a20, close 1
fd 2: open 2, message 2 b1, message 2 b2, message 2 b3, message 2 b4, message 2 b5, message 2 b6, message 2 b7, message 2 b8, message 2 b9, message 2 b10, message 2 b11, message 2 b12, message 2 b13, message 2 b14, message 2 b15, message 2 b16, message 2 b17, message 2 b18, message 2 b19, message 2 b20, close 2
other lines: 0
