--TEST--
limits: started with a soft limit of 256 open files, the server raises it towards the hard limit and serves 600 connections at once
--SKIPIF--
<?php
if (!is_executable('/usr/bin/prlimit')) die('skip needs prlimit (util-linux)');
$hard = posix_getrlimit()['hard openfiles'] ?? 0;
if ($hard !== 'unlimited' && $hard < 2048) die("skip hard limit on open files is $hard");
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';
// This test process holds 600 client sockets itself.
posix_setrlimit(POSIX_RLIMIT_NOFILE, 2048, (int)(posix_getrlimit()['hard openfiles'] === 'unlimited' ? 65536 : posix_getrlimit()['hard openfiles']));

$port = free_port();
$srv = ServerProcess::startCommand(array_merge(['/usr/bin/prlimit', '--nofile=256:4096'], php_command(),
    [__DIR__ . '/servers/140_echo.php', $port]));
$srv->waitForPort($port);

$clients = [];
for ($i = 0; $i < 600; $i++) {
    $clients[] = RawWs::connect($port);
}
$ok = 0;
foreach ($clients as $i => $ws) {
    $ws->sendText("m$i");
}
foreach ($clients as $i => $ws) {
    $f = $ws->recvFrame();
    $ok += ($f['payload'] === "m$i") ? 1 : 0;
}
echo "echoed: $ok\n";
foreach ($clients as $ws) {
    $ws->close();
}
var_dump($srv->stop());
?>
--EXPECT--
echoed: 600
int(0)
