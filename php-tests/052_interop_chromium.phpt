--TEST--
interop: headless Chromium's WebSocket with permessage-deflate on (examples/autobahn_server.php) and off: 0 to 4 MiB text and binary, two empty messages in a row
--SKIPIF--
<?php
// Under CI nothing is skipped: a missing browser fails the test instead of hiding it.
$missing = !is_executable('/usr/bin/chromium')
    || !is_file(__DIR__ . '/clients/node/node_modules/playwright-core/package.json');
if ($missing && getenv('CI') !== 'true') {
    die('skip needs Chromium and playwright-core (run scripts/setup-browser)');
}
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$servers = [
    'compression on' => [dirname(__DIR__) . '/examples/autobahn_server.php', []],
    // The 4 MiB messages need more than the default 2 MiB package_max_length.
    'compression off' => [__DIR__ . '/servers/140_echo.php', ['{"package_max_length": 67108864}']],
];
foreach ($servers as $label => [$script, $extra]) {
    $port = free_port();
    $srv = ServerProcess::start($script, array_merge([$port], $extra));
    $srv->waitForListening($port);
    $node = ServerProcess::startCommand(['node', __DIR__ . '/clients/node/chromium_interop.js', "ws://127.0.0.1:$port/", 80]);
    $code = $node->wait(90);
    echo "== $label (exit $code)\n", $node->stdout(), $node->stderr();
    $srv->stop();
}
?>
--EXPECT--
== compression on (exit 0)
extensions: permessage-deflate; client_max_window_bits=15
text 0: ok
binary 0: ok
text 125: ok
binary 125: ok
text 126: ok
binary 126: ok
text 65535: ok
binary 65535: ok
text 65536: ok
binary 65536: ok
text 4194304: ok
binary 4194304: ok
two empty messages: ok
closed: 1000
== compression off (exit 0)
extensions: -
text 0: ok
binary 0: ok
text 125: ok
binary 125: ok
text 126: ok
binary 126: ok
text 65535: ok
binary 65535: ok
text 65536: ok
binary 65536: ok
text 4194304: ok
binary 4194304: ok
two empty messages: ok
closed: 1000
