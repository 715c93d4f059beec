--TEST--
hostile input: a close frame with a 1-byte payload or a close code that may not be sent (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535) fails the connection with 1002; valid codes (1000-1003, 1007-1014, 3000-4999) and an empty close are echoed; a healthy client is served throughout
--FILE--
<?php
require __DIR__ . '/lib/hostile.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/140_echo.php', [$port]);
$srv->waitForListening($port);
$healthy = Healthy::connect($srv, $port, 1);
$healthy->check('start');
$fd = 1;

$cases = [
    '1-byte payload' => frame(WS_OP_CLOSE, "\x03"),
];
foreach ([0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as $code) {
    $cases["code $code"] = frame(WS_OP_CLOSE, pack('n', $code));
}
$cases['code 1005 + reason'] = frame(WS_OP_CLOSE, pack('n', 1005) . 'no status?');
// Valid: echoed back as they came.
$cases['empty'] = frame(WS_OP_CLOSE, '');
foreach ([1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999] as $code) {
    $cases["code $code"] = frame(WS_OP_CLOSE, pack('n', $code));
}
$cases['code 4000 + 123-byte reason'] = frame(WS_OP_CLOSE, pack('n', 4000) . str_repeat('r', 123));
run_frame_cases($srv, $port, $healthy, $fd, $cases);

echo "new client: ", server_alive($srv, $port, ++$fd), "\n";
$healthy->close($srv);
var_dump($srv->stop());
echo $srv->stderr();
?>
--EXPECT--
1-byte payload:               close 1002 EOF
code 0:                       close 1002 EOF
code 999:                     close 1002 EOF
code 1004:                    close 1002 EOF
code 1005:                    close 1002 EOF
code 1006:                    close 1002 EOF
code 1015:                    close 1002 EOF
code 1016:                    close 1002 EOF
code 1100:                    close 1002 EOF
code 2000:                    close 1002 EOF
code 2999:                    close 1002 EOF
code 5000:                    close 1002 EOF
code 65535:                   close 1002 EOF
code 1005 + reason:           close 1002 EOF
empty:                        close () EOF
code 1000:                    close 1000 EOF
code 1001:                    close 1001 EOF
code 1002:                    close 1002 EOF
code 1003:                    close 1003 EOF
code 1007:                    close 1007 EOF
code 1011:                    close 1011 EOF
code 1014:                    close 1014 EOF
code 3000:                    close 3000 EOF
code 4999:                    close 4999 EOF
code 4000 + 123-byte reason:  close 4000 "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr" EOF
new client: alive
int(0)
