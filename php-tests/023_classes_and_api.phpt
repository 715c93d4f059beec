--TEST--
foundation: class chain Swoole\WebSocket\Server -> Swoole\Http\Server -> Swoole\Server; start() without onMessage fails clearly; on() event names are case-insensitive, an unknown event warns and returns false; $server->setting reflects set()
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

echo "== classes ==\n";
foreach (['Swoole\WebSocket\Server', 'Swoole\Http\Server', 'Swoole\Server'] as $class) {
    $chain = [];
    for ($c = $class; $c !== false; $c = get_parent_class($c)) {
        $chain[] = $c;
    }
    echo implode(' -> ', $chain), "\n";
}
$server = new Swoole\WebSocket\Server('127.0.0.1', free_port());
var_dump($server instanceof Swoole\WebSocket\Server, $server instanceof Swoole\Http\Server,
    $server instanceof Swoole\Server);
var_dump(is_subclass_of('Swoole\WebSocket\CloseFrame', 'Swoole\WebSocket\Frame'));

echo "== on() ==\n";
var_dump($server->on('Message', function () {}));
var_dump($server->on('OPEN', function () {}));
var_dump($server->on('nosuchevent', function () {}));

echo "== setting ==\n";
var_dump($server->set(['open_websocket_close_frame' => true]));
var_dump($server->setting['open_websocket_close_frame']);
var_dump($server->set(['websocket_subprotocol' => 'chat']));
var_dump($server->setting['open_websocket_close_frame'], $server->setting['websocket_subprotocol']);
unset($server);

echo "== start() without onMessage ==\n";
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/023_no_message.php', [$port]);
$code = $srv->wait(10);
if ($code === null) {
    echo "start() is serving without onMessage\n";
    $code = $srv->stop();
}
var_dump($code);
$out = $srv->stdout();
echo $out, $srv->stderr();
echo stripos($out, 'onMessage') !== false ? "the error mentions onMessage\n" : "the error does not mention onMessage\n";

echo "== case-insensitive event names, live ==\n";
$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/023_event_case.php', [$port]);
$srv->waitForListening($port);
$ws = RawWs::connect($port);
$ws->sendText('hi');
echo payload($ws->recvFrame()), "\n";
var_dump($ws->close(1000, ''));
unset($ws);
$srv->waitForOutput('cLoSe callback');
var_dump($srv->stop());
echo $srv->stdout(), $srv->stderr();
?>
--EXPECTF--
== classes ==
Swoole\WebSocket\Server -> Swoole\Http\Server -> Swoole\Server
Swoole\Http\Server -> Swoole\Server
Swoole\Server
bool(true)
bool(true)
bool(true)
bool(true)
== on() ==
bool(true)
bool(true)

Warning: Swoole\%sServer::on(): unknown event types[nosuchevent] in %s on line %d
bool(false)
== setting ==
bool(true)
bool(true)
bool(true)
bool(true)
string(4) "chat"
== start() without onMessage ==
int(0)
%s: %SonMessage%S
done
the error mentions onMessage
== case-insensitive event names, live ==
got hi
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
int(0)
bool(true)
bool(true)
bool(true)
OPEN callback: fd 1
Message callback: hi
cLoSe callback: fd 1
