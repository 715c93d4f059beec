--TEST--
foundation: an exception thrown in onMessage is reported as PHP reports an uncaught exception (first line and stack trace, on stdout with display_errors, on stderr as "PHP Fatal error:  ..." with log_errors), another client keeps being served, and SIGTERM still ends the script with status 0
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

$script = __DIR__ . '/servers/020_exception.php';
$variants = [
    // run-tests.php's own settings: display_errors=1, log_errors=0.
    'display_errors' => [],
    'log_errors' => ['-d', 'display_errors=0', '-d', 'log_errors=1', '-d', 'error_log='],
];
foreach ($variants as $name => $ini) {
    echo "== $name ==\n";
    $port = free_port();
    $srv = ServerProcess::startCommand(array_merge(php_command(), $ini, [$script, $port]));
    $srv->waitForListening($port);

    $a = RawWs::connect($port);
    $b = RawWs::connect($port);
    $b->sendText('before');
    echo 'b: ', payload($b->recvFrame()), "\n";

    $a->sendText('throw');
    if ($name === 'display_errors') {
        $srv->waitForOutput('thrown in');
        $report = $srv->stdout();
    } else {
        $srv->waitForStderr('thrown in');
        $report = $srv->stderr();
    }

    // The other client is still served.
    $b->sendText('after');
    echo 'b: ', payload($b->recvFrame()), "\n";
    $b->sendText('and again');
    echo 'b: ', payload($b->recvFrame()), "\n";

    $lines = explode("\n", str_replace($script, 'SCRIPT', trim($report)));
    echo "first line: $lines[0]\n";
    echo "next line: $lines[1]\n";
    echo 'stack frames: ', count(preg_grep('/^#\d+ /', $lines)) >= 2 ? 'yes' : 'no', "\n";
    echo 'last line: ', end($lines), "\n";

    unset($a);
    $srv->waitForOutput("client 1 closed\n");
    unset($b);
    $srv->waitForOutput("client 2 closed\n");
    var_dump($srv->stop(SIGTERM));
    $out = $srv->stdout();
    echo 'after start: ', str_ends_with($out, "after start\n") ? 'printed last' : 'missing', "\n";
    if ($name === 'log_errors') {
        echo "stdout:\n", $out;
    }
}
?>
--EXPECT--
== display_errors ==
b: echo:before
b: echo:after
b: echo:and again
first line: Fatal error: Uncaught Exception: boom from fd 1 in SCRIPT:7
next line: Stack trace:
stack frames: yes
last line:   thrown in SCRIPT on line 7
int(0)
after start: printed last
== log_errors ==
b: echo:before
b: echo:after
b: echo:and again
first line: PHP Fatal error:  Uncaught Exception: boom from fd 1 in SCRIPT:7
next line: Stack trace:
stack frames: yes
last line:   thrown in SCRIPT on line 7
int(0)
after start: printed last
stdout:
client 1 closed
client 2 closed
after start
