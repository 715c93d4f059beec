--TEST--
client: never hangs: recv(0.2) on a silent server is false with errCode 110 and the connection stays usable; the `timeout` setting bounds recv(); the server closing (close(), disconnect() with open_websocket_close_frame => false, or the server process killed) while recv() waits ends it at once with "" and connected false
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

use Swoole\Coroutine;
use Swoole\Coroutine\Http\Client;
use Swoole\WebSocket\Frame;
use function Swoole\Coroutine\run;

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/062_client_peer.php', [$port]);
$srv->waitForListening($port);

function took(float $t0, float $min, float $max): string
{
    $dt = microtime(true) - $t0;
    return $dt >= $min && $dt <= $max ? 'in time' : sprintf('took %.3fs, expected %.1f..%.1f', $dt, $min, $max);
}

function what($f): string
{
    if ($f instanceof Swoole\WebSocket\CloseFrame) {
        return "CloseFrame code={$f->code}";
    }
    return $f instanceof Frame ? "Frame " . json_encode($f->data) : var_export($f, true);
}

run(function () use ($port, $srv) {
    $cli = new Client('127.0.0.1', $port);
    var_dump($cli->upgrade('/'));

    echo "== recv(0.2), nothing comes ==\n";
    $cli->push('silent');
    $t = microtime(true);
    var_dump($cli->recv(0.2));
    echo took($t, 0.15, 1.5), "\n";
    var_dump($cli->errCode, $cli->errMsg, $cli->connected);
    $cli->push('still here');
    echo what($cli->recv(2)), "\n";

    echo "== the timeout setting ==\n";
    $cli->set(['timeout' => 0.3]);
    $t = microtime(true);
    var_dump($cli->recv());
    echo took($t, 0.25, 1.5), "\n";
    var_dump($cli->errCode);
    $cli->set(['timeout' => 5]);

    echo "== the server closes the connection while recv() waits ==\n";
    $cli->push('close-me');
    $t = microtime(true);
    $f = $cli->recv();
    echo took($t, 0, 2), "\n";
    // Either the server's close frame (then "") or "" straight away.
    if ($f instanceof Swoole\WebSocket\CloseFrame) {
        $f = $cli->recv();
    }
    var_dump($f, $cli->connected);

    echo "== disconnect() with open_websocket_close_frame => false ==\n";
    $cli = new Client('127.0.0.1', $port);
    $cli->set(['open_websocket_close_frame' => false, 'timeout' => 5]);
    var_dump($cli->upgrade('/'));
    $cli->push('disconnect');
    var_dump($cli->recv(), $cli->errCode, $cli->connected);

    echo "== the server process dies while recv() waits ==\n";
    $cli = new Client('127.0.0.1', $port);
    $cli->set(['timeout' => 5]);
    var_dump($cli->upgrade('/'));
    go(function () use ($srv) {
        Coroutine::sleep(0.2);
        $srv->kill();
    });
    $t = microtime(true);
    var_dump($cli->recv());
    echo took($t, 0.1, 2), "\n";
    var_dump($cli->errCode, $cli->errMsg, $cli->connected);
    var_dump($cli->recv(), $cli->errCode);
});
?>
--EXPECT--
bool(true)
== recv(0.2), nothing comes ==
bool(false)
in time
int(110)
string(20) "Connection timed out"
bool(true)
Frame "still here"
== the timeout setting ==
bool(false)
in time
int(110)
== the server closes the connection while recv() waits ==
in time
string(0) ""
bool(false)
== disconnect() with open_websocket_close_frame => false ==
bool(true)
string(0) ""
int(0)
bool(false)
== the server process dies while recv() waits ==
bool(true)
string(0) ""
in time
int(104)
string(24) "Connection reset by peer"
bool(false)
bool(false)
int(5001)
