--TEST--
client: the manual's compression example as it is (examples/compression_server.php and examples/compression_client.php on port 9501, the client prints nothing), then a variant client that recv()s: "Hello Swoole", opcode 1, compressed flags, permessage-deflate agreed
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

use Swoole\Coroutine\Http\Client;
use function Swoole\Coroutine\run;

$srv = ServerProcess::start(__DIR__ . '/../examples/compression_server.php');
$srv->waitForListening(9501);

$cli = ServerProcess::start(__DIR__ . '/../examples/compression_client.php');
var_dump($cli->wait(20));
echo "--- client stdout ---\n", $cli->stdout();
echo "--- client stderr ---\n", $cli->stderr();

// The variant: the same client, then recv() and var_dump.
run(function () {
    $cli = new Client('127.0.0.1', 9501);
    $cli->set(['websocket_compression' => true]);
    var_dump($cli->upgrade('/'));
    var_dump($cli->statusCode);
    var_dump($cli->headers['sec-websocket-extensions']);
    var_dump($cli->push(
        'Hello Swoole',
        SWOOLE_WEBSOCKET_OPCODE_TEXT,
        SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS
    ));
    $frame = $cli->recv();
    var_dump($frame);
    var_dump($frame->flags === (SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_COMPRESS | SWOOLE_WEBSOCKET_FLAG_RSV1));
    var_dump($cli->close());
});

var_dump($srv->stop());
// Not compared: the server's stdout. The example client leaves as soon as it has pushed,
// so the server may already have seen the connection end when its onMessage pushes
// (a warning there is the server's business, not the client's).
echo "--- server stderr ---\n", $srv->stderr();
?>
--EXPECTF--
int(0)
--- client stdout ---
--- client stderr ---
bool(true)
int(101)
string(%d) "permessage-deflate%s"
bool(true)
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(%d)
  ["data"]=>
  string(12) "Hello Swoole"
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(7)
  ["finish"]=>
  bool(true)
}
bool(true)
bool(true)
int(0)
--- server stderr ---
