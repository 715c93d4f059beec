--TEST--
interop: Node ws against examples/autobahn_server.php, permessage-deflate off and on (every message compressed): 0 to 4 MiB text and binary, two empty messages in a row, compressed replies
--SKIPIF--
<?php
// scripts/setup installs ws (npm ci in php-tests/clients/node). Under CI nothing is
// skipped: a missing node or ws there fails the test instead of hiding it.
$missing = [];
if (!is_file(__DIR__ . '/clients/node/node_modules/ws/package.json')) {
    $missing[] = 'ws in php-tests/clients/node';
}
if (!array_filter(explode(':', (string)getenv('PATH')), fn($d) => is_executable("$d/node"))) {
    $missing[] = 'node';
}
if ($missing && getenv('CI') !== 'true') {
    die('skip needs ' . implode(', ', $missing) . ' (run scripts/setup)');
}
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/../examples/autobahn_server.php', [$port]);
$srv->waitForPort($port);

$client = ServerProcess::startCommand(['node', __DIR__ . '/clients/interop_ws.js',
    '--url', "ws://127.0.0.1:$port/"]);
$code = $client->wait(100);
$client->kill(); // only if still running
echo $client->stdout();
var_dump($code);
if ($code !== 0) {
    echo $client->stderr();
}
var_dump($srv->stop());
echo "--- server stderr ---\n", $srv->stderr();
?>
--EXPECT--
plain: open extensions=-
plain: text 0: ok
plain: binary 0: ok
plain: text 125: ok
plain: binary 125: ok
plain: text 126: ok
plain: binary 126: ok
plain: text 65535: ok
plain: binary 65535: ok
plain: text 65536: ok
plain: binary 65536: ok
plain: text 4194304: ok
plain: binary 4194304: ok
plain: two empty text in a row: ok
plain: two empty binary in a row: ok
plain: replies compressed: no
plain: closed code=1000
deflate: open extensions=permessage-deflate; client_max_window_bits=15
deflate: text 0: ok
deflate: binary 0: ok
deflate: text 125: ok
deflate: binary 125: ok
deflate: text 126: ok
deflate: binary 126: ok
deflate: text 65535: ok
deflate: binary 65535: ok
deflate: text 65536: ok
deflate: binary 65536: ok
deflate: text 4194304: ok
deflate: binary 4194304: ok
deflate: two empty text in a row: ok
deflate: two empty binary in a row: ok
deflate: replies compressed: yes
deflate: closed code=1000
int(0)
int(0)
--- server stderr ---
