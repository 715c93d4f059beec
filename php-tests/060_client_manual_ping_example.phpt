--TEST--
client: the manual's ping example as it is (examples/ping_server.php and examples/ping_client.php on port 9501): the client pushes a PING Frame and recv() returns the PONG, printing bool(true)
--CONFLICTS--
port9501
--SKIPIF--
<?php
// Both examples use 127.0.0.1:9501, fixed.
$s = @stream_socket_server('tcp://127.0.0.1:9501', $errno, $errstr);
if ($s === false) {
    die("skip port 9501 is busy ($errstr)");
}
fclose($s);
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$srv = ServerProcess::start(__DIR__ . '/../examples/ping_server.php');
$srv->waitForListening(9501);

$cli = ServerProcess::start(__DIR__ . '/../examples/ping_client.php');
var_dump($cli->wait(20));
echo "--- client stdout ---\n", $cli->stdout();
echo "--- client stderr ---\n", $cli->stderr();

var_dump($srv->stop());
echo "--- server stdout ---\n", $srv->stdout();
echo "--- server stderr ---\n", $srv->stderr();
?>
--EXPECT--
int(0)
--- client stdout ---
bool(true)
--- client stderr ---
int(0)
--- server stdout ---
--- server stderr ---
