--TEST--
examples/chat in a real browser: the server serves index.html on GET /, two headless Chromium pages (nicknames from the prompt) chat through it with Enter, every established connection gets every message as JSON {name, text}, joins and leaves are announced
--SKIPIF--
<?php
// Cheap checks only. scripts/setup-browser installs what is missing. Under CI nothing is
// skipped: a missing browser there fails the test instead of hiding it.
$missing = [];
if (!is_executable('/usr/bin/chromium')) {
    $missing[] = '/usr/bin/chromium';
}
if (!is_file(__DIR__ . '/clients/node/node_modules/playwright-core/package.json')) {
    $missing[] = 'playwright-core in php-tests/clients/node';
}
$node = array_filter(explode(':', (string)getenv('PATH')), fn($d) => is_executable("$d/node"));
if (!$node) {
    $missing[] = 'node';
}
if ($missing && getenv('CI') !== 'true') {
    die('skip needs ' . implode(', ', $missing) . ' (run scripts/setup-browser)');
}
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$root = dirname(__DIR__);
$port = free_port();
$srv = ServerProcess::start("$root/examples/chat/server.php", [$port]);
$srv->waitForListening($port);

// The page, as a browser gets it; anything else is a 404.
$resp = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
[$head, $body] = explode("\r\n\r\n", $resp, 2) + ['', ''];
echo strtok($head, "\r\n"), "\n";
echo preg_match('/^Content-Type: *(.*)$/mi', $head, $m) ? $m[1] : 'no Content-Type', "\n";
var_dump($body === file_get_contents("$root/examples/chat/index.html"));
echo strtok(RawWs::httpRequest($port, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), "\r\n"), "\n";

// A raw client in the room sees exactly what goes over the wire.
$raw = RawWs::connect($port, '/?name=observer');
$srv->waitForOutput("name=observer online=1\n");

$e2e = ServerProcess::startCommand(['node', __DIR__ . '/clients/node/chat_e2e.js',
    '--url', "http://127.0.0.1:$port/", '--screenshot', "$root/target/chat-screenshot.png",
    '--timeout', '80']);
$code = $e2e->wait(90);
$e2e->kill(); // only if still running
echo $e2e->stdout();
if ($code !== 0) {
    echo "chat_e2e.js failed (exit code ", $code ?? 'none: killed after 90s', "):\n", $e2e->stderr();
}

// alice's page closed last: the observer hears it leave.
$srv->waitForOutput("name=alice online=1\n");
echo "--- observer\n";
for ($i = 0; $i < 7; $i++) {
    $f = $raw->recvFrame();
    echo $f === null ? "EOF\n" : "{$f['opcode']} {$f['payload']}\n";
}
var_dump($raw->close());
$srv->waitForOutput("name=observer online=0\n");
var_dump($srv->stop());
echo "--- server\n", preg_replace('/fd=\d+/', 'fd=N', $srv->stdout());
echo $srv->stderr();
?>
--EXPECTF--
HTTP/1.1 200 OK
text/html; charset=utf-8
bool(true)
HTTP/1.1 404 Not Found
alice: GET / 200 text/html; charset=utf-8
alice: prompt "prompt: Your nickname?"; status "connected as alice"
bob: GET / 200 text/html; charset=utf-8
bob: prompt "prompt: Your nickname?"; status "connected as bob"
bob sees: alice: hello from alice <b>&amp;</b> — ünïcode ✓
bob: 0 <b> elements in messages
alice sees: bob: hi alice, bob here
alice list: * alice joined (2 online)
alice list: * bob joined (3 online)
alice list: alice: hello from alice <b>&amp;</b> — ünïcode ✓
alice list: bob: hi alice, bob here
bob list: * bob joined (3 online)
bob list: alice: hello from alice <b>&amp;</b> — ünïcode ✓
bob list: bob: hi alice, bob here
alice highlighted: ["alice: hello from alice <b>&amp;</b> — ünïcode ✓"]
screenshot: saved
alice sees: bob left (2 online)
ok
--- observer
1 {"name":null,"text":"observer joined (1 online)"}
1 {"name":null,"text":"alice joined (2 online)"}
1 {"name":null,"text":"bob joined (3 online)"}
1 {"name":"alice","text":"hello from alice <b>&amp;</b> — ünïcode ✓"}
1 {"name":"bob","text":"hi alice, bob here"}
1 {"name":null,"text":"bob left (2 online)"}
1 {"name":null,"text":"alice left (1 online)"}
array(2) {
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
int(0)
--- server
chat on http://127.0.0.1:%d/
open fd=N name=observer online=1
open fd=N name=alice online=2
open fd=N name=bob online=3
message fd=N name=alice to=3
message fd=N name=bob to=3
close fd=N name=bob online=2
close fd=N name=alice online=1
close fd=N name=observer online=0
