--TEST--
hostile input: a request head over 64 KiB (one huge header, many big headers, a huge target, a head that never ends) and a request with too many headers get 431 and a closed connection; a head of exactly 64 KiB and 100 headers still upgrade; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const LIMIT = 65536;

/** An upgrade request with $extra header lines, padded with X-Pad to exactly $size bytes if given. */
function upgrade_request(int $port, array $extra = [], ?int $size = null, string $target = '/'): string
{
    $head = "GET $target HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Key: " . KEY . "\r\nSec-WebSocket-Version: 13\r\n";
    foreach ($extra as $line) {
        $head .= "$line\r\n";
    }
    if ($size !== null) {
        $pad = $size - strlen($head) - strlen("X-Pad: \r\n\r\n");
        $head .= 'X-Pad: ' . str_repeat('p', $pad) . "\r\n";
    }
    return $head . "\r\n";
}

/**
 * Sends a request followed at once by a text frame (unless !$withFrame). A refused request gets its error
 * response and a hang-up; an upgraded connection gets the 101 and the echo, then we close
 * (1000) and the server answers and hangs up. Summarises what came back.
 */
function try_upgrade(int $port, string $request, bool $withFrame = true): string
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    stream_set_blocking($s, false);
    $todo = $request . ($withFrame ? RawWs::buildFrame(WS_OP_TEXT, 'hello') : '');
    $resp = '';
    $closed = false;
    $closeSent = false;
    $deadline = microtime(true) + 10;
    while (!$closed && microtime(true) < $deadline) {
        $r = [$s];
        $w = $todo !== '' ? [$s] : null;
        $e = null;
        if (!@stream_select($r, $w, $e, 0, 200000)) {
            continue;
        }
        if ($w) {
            $n = @fwrite($s, $todo);
            $todo = $n === false ? '' : (string)substr($todo, $n); // false: reset after a refusal
        }
        if ($r) {
            $d = @fread($s, 65536);
            if ($d === false || ($d === '' && feof($s))) {
                $closed = true;
            }
            $resp .= (string)$d;
        }
        if (!$closeSent && str_ends_with($resp, "\r\n\r\n\x81\x05hello")) {
            $todo .= RawWs::buildFrame(WS_OP_CLOSE, pack('n', 1000));
            $closeSent = true;
        }
    }
    fclose($s);
    $out = status_line($resp);
    $p = strpos($resp, "\r\n\r\n");
    if ($p !== false && str_starts_with($resp, 'HTTP/1.1 101 ')) {
        $rest = substr($resp, $p + 4);
        $out .= $rest === "\x81\x05hello\x88\x02\x03\xe8" ? ' + echo + close 1000' : ' + ' . bin2hex($rest);
    }
    return $out . ($closed ? ', closed' : ', STILL OPEN');
}

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);

$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

$manyBig = [];
for ($i = 0; $i < 90; $i++) {
    $manyBig[] = "X-Big-$i: " . str_repeat('b', 800);
}
$tooMany = [];
for ($i = 0; $i < 1000; $i++) {
    $tooMany[] = "X-H$i: v";
}
$hundred = [];
for ($i = 0; $i < 95; $i++) {  // + Host, Upgrade, Connection, Key, Version = 100
    $hundred[] = "X-H$i: v";
}

$cases = [
    'head of exactly 64 KiB' => [upgrade_request($port, [], LIMIT), true, true],
    'head of 64 KiB + 1' => [upgrade_request($port, [], LIMIT + 1), false, true],
    'one 70000-byte header' => [upgrade_request($port, ['X-Huge: ' . str_repeat('h', 70000)]), false, true],
    '90 headers of 800 bytes' => [upgrade_request($port, $manyBig), false, true],
    '70000-byte request target' => [upgrade_request($port, [], null, '/' . str_repeat('t', 70000)), false, true],
    '100 headers' => [upgrade_request($port, $hundred), true, true],
    '1000 headers' => [upgrade_request($port, $tooMany), false, true],
    // 72 KB of header lines and no blank line: refused once 64 KiB are in, without waiting for an end.
    'a head that never ends' => [substr(upgrade_request($port, $manyBig), 0, -2), false, false],
];
foreach ($cases as $what => [$request, $upgrades, $withFrame]) {
    $fd++;
    printf("%-28s %s\n", "$what:", try_upgrade($port, $request, $withFrame));
    if ($upgrades) {
        $srv->waitForOutput("open $fd\n");
    }
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
head of exactly 64 KiB:      HTTP/1.1 101 Switching Protocols + echo + close 1000, closed
head of 64 KiB + 1:          HTTP/1.1 431 Request Header Fields Too Large, closed
one 70000-byte header:       HTTP/1.1 431 Request Header Fields Too Large, closed
90 headers of 800 bytes:     HTTP/1.1 431 Request Header Fields Too Large, closed
70000-byte request target:   HTTP/1.1 431 Request Header Fields Too Large, closed
100 headers:                 HTTP/1.1 101 Switching Protocols + echo + close 1000, closed
1000 headers:                HTTP/1.1 431 Request Header Fields Too Large, closed
a head that never ends:      HTTP/1.1 431 Request Header Fields Too Large, closed
new client: alive
opened: 4, closed: 10
int(0)
