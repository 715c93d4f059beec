<?php
// Harness self-test server (no extension needed): accepts connections one at a time on
// 127.0.0.1:PORT and echoes one line on each. Exits 0 on SIGTERM when pcntl is there.
$port = (int)($argv[1] ?? 0);
$server = stream_socket_server("tcp://127.0.0.1:$port", $errno, $errstr);
if ($server === false) {
    fwrite(STDERR, "listen: $errstr\n");
    exit(2);
}
if (function_exists('pcntl_signal')) {
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, function () {
        echo "got SIGTERM\n";
        exit(0);
    });
}
echo "listening on $port\n";
while (true) {
    $r = [$server];
    $w = $e = null;
    if (!@stream_select($r, $w, $e, 0, 100000)) {
        continue;
    }
    $conn = @stream_socket_accept($server, 0);
    if ($conn === false) {
        continue;
    }
    stream_set_timeout($conn, 5);
    $line = fgets($conn);
    if ($line !== false) {
        // The harness's waitForPort probe connects and hangs up: only real lines count.
        echo 'echoed ', rtrim($line), "\n";
        fwrite($conn, $line);
    }
    fclose($conn);
}
