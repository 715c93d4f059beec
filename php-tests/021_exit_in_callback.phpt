--TEST--
foundation: exit(3) inside onMessage stops the server: the process exits with status 3, shutdown functions run, code after start() does not, and the clients' connections end
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

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/021_exit.php', [$port]);
$srv->waitForListening($port);

$a = RawWs::connect($port);
$b = RawWs::connect($port);
$a->sendText('hi');
echo 'a: ', payload($a->recvFrame()), "\n";
$a->sendText('exit');

var_dump($srv->wait(10));
// Both connections end (whatever frames come first).
foreach (['a' => $a, 'b' => $b] as $name => $ws) {
    echo "$name: ", $ws->isEof(5) ? 'connection ended' : 'still open', "\n";
}
echo $srv->stdout(), $srv->stderr();
?>
--EXPECT--
a: hi
int(3)
a: connection ended
b: connection ended
exiting
shutdown function
