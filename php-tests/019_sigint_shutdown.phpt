--TEST--
foundation: SIGINT (Ctrl-C) during traffic: every client gets a close frame with 1001, onClose runs for each, start() returns, the script carries on and exits 0
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/018_shutdown.php', [$port]);
$srv->waitForListening($port);

// Three websockets clients, each sending and reading its echo in a loop.
$py = __DIR__ . '/../.venv/bin/python';
$clients = ServerProcess::startCommand([is_executable($py) ? $py : 'python3',
    __DIR__ . '/clients/flood_clients.py', "ws://127.0.0.1:$port/", 3], ['PYTHONUNBUFFERED' => '1']);
$clients->waitForOutput("running\n");

$srv->signal(SIGINT);
var_dump($srv->wait(10));
var_dump($clients->wait(30));
echo $clients->stdout(), $clients->stderr();

// Opens in connection order; closes in any order, but all before start() returns.
$lines = explode("\n", rtrim($srv->stdout(), "\n"));
$last = array_pop($lines);
$closes = array_filter($lines, fn($l) => str_starts_with($l, 'client '));
sort($closes);
echo implode("\n", array_diff($lines, $closes)), "\n", implode("\n", $closes), "\n", $last, "\n";
echo $srv->stderr();
?>
--EXPECT--
int(0)
int(0)
connected 3
running
client 0: close code=1001 echoes-ok=yes
client 1: close code=1001 echoes-ok=yes
client 2: close code=1001 echoes-ok=yes
open 1
open 2
open 3
client 1 closed
client 2 closed
client 3 closed
after start
