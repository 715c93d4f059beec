--TEST--
hostile input: upgrade requests with a bad Sec-WebSocket-Key get 400, with another Sec-WebSocket-Version than 13 get 426 naming version 13, a non-GET upgrade 400, and each connection is closed; odd but valid spelling still upgrades; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

/** An upgrade request with $lines instead of the usual key and version lines. */
function upgrade(int $port, array $lines, string $method = 'GET'): string
{
    return "$method / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . implode('', array_map(fn($l) => "$l\r\n", $lines)) . "\r\n";
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);

$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;
$good = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
$v13 = 'Sec-WebSocket-Version: 13';

$cases = [
    'key not base64' => [['Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!!=', $v13]],
    'key of 15 bytes' => [['Sec-WebSocket-Key: ' . base64_encode(str_repeat('k', 15)), $v13]],
    'key of 17 bytes' => [['Sec-WebSocket-Key: ' . base64_encode(str_repeat('k', 17)), $v13]],
    'key without padding' => [['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ', $v13]],
    'empty key' => [['Sec-WebSocket-Key: ', $v13]],
    'key with a space inside' => [['Sec-WebSocket-Key: dGhlIHNhbXBs ZSBub25jZQ==', $v13]],
    'key 4 KiB long' => [['Sec-WebSocket-Key: ' . base64_encode(str_repeat('k', 3072)), $v13]],
    'no key' => [[$v13]],
    'POST upgrade' => [[$good, $v13], 'POST'],
    'version 0' => [[$good, 'Sec-WebSocket-Version: 0']],
    'version 8' => [[$good, 'Sec-WebSocket-Version: 8']],
    'version 12' => [[$good, 'Sec-WebSocket-Version: 12']],
    'version 14' => [[$good, 'Sec-WebSocket-Version: 14']],
    'version 13.0' => [[$good, 'Sec-WebSocket-Version: 13.0']],
    'version abc' => [[$good, 'Sec-WebSocket-Version: abc']],
    'empty version' => [[$good, 'Sec-WebSocket-Version: ']],
];
foreach ($cases as $what => $case) {
    [$resp, $closed] = http_exchange($port, upgrade($port, $case[0], $case[1] ?? 'GET'));
    $fd++;
    $offer = '';
    if (str_starts_with($resp, 'HTTP/1.1 426')) {
        $offer = preg_match('/\r\nSec-WebSocket-Version: 13\r\n/i', $resp) ? ' (offers 13)' : ' (NO Sec-WebSocket-Version: 13)';
    }
    printf("%-24s %s%s, %s\n", "$what:", status_line($resp), $offer, $closed ? 'closed' : 'STILL OPEN');
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

// Valid, if oddly written: lower-case names, extra spaces, tokens in lists. These upgrade.
foreach ([
    'lower-case names, spaces' => ['upgrade' => 'WebSocket', 'connection' => 'keep-alive,  Upgrade',
        'sec-websocket-key' => 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version' => ' 13 '],
] as $what => $headers) {
    $fd++;
    $ws = RawWs::connect($port, '/', array_merge(['Upgrade' => null, 'Connection' => null,
        'Sec-WebSocket-Key' => null, 'Sec-WebSocket-Version' => null], $headers));
    $srv->waitForOutput("open $fd\n");
    $ws->sendText('odd but valid');
    $f = $ws->recvFrame();
    printf("%-24s %s, echo: %s\n", "$what:", status_line($ws->handshakeResponse()), $f['payload']);
    var_dump($ws->close(1000));
    unset($ws);
    $srv->waitForOutput("close $fd\n");
    $healthy->check($what);
}

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
echo "opened: ", count_lines($srv, 'open '), ", closed: ", count_lines($srv, 'close '), "\n";
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
key not base64:          HTTP/1.1 400 Bad Request, closed
key of 15 bytes:         HTTP/1.1 400 Bad Request, closed
key of 17 bytes:         HTTP/1.1 400 Bad Request, closed
key without padding:     HTTP/1.1 400 Bad Request, closed
empty key:               HTTP/1.1 400 Bad Request, closed
key with a space inside: HTTP/1.1 400 Bad Request, closed
key 4 KiB long:          HTTP/1.1 400 Bad Request, closed
no key:                  HTTP/1.1 400 Bad Request, closed
POST upgrade:            HTTP/1.1 400 Bad Request, closed
version 0:               HTTP/1.1 426 Upgrade Required (offers 13), closed
version 8:               HTTP/1.1 426 Upgrade Required (offers 13), closed
version 12:              HTTP/1.1 426 Upgrade Required (offers 13), closed
version 14:              HTTP/1.1 426 Upgrade Required (offers 13), closed
version 13.0:            HTTP/1.1 426 Upgrade Required (offers 13), closed
version abc:             HTTP/1.1 426 Upgrade Required (offers 13), closed
empty version:           HTTP/1.1 426 Upgrade Required (offers 13), closed
lower-case names, spaces: HTTP/1.1 101 Switching Protocols, echo: odd but valid
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
new client: alive
opened: 3, closed: 19
int(0)
