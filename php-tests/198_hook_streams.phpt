--TEST--
reactor: TCP and UNIX stream hooks with PHP's own streams: a slow connect (full accept queue) and a write into a full socket buffer let other coroutines run, a refused connect reports as PHP's own, accepted streams are hooked too, a unix:// read waits in its coroutine and times out as PHP's own (false, timed_out), and outside coroutines streams are PHP's own
--FILE--
<?php
Swoole\Runtime::enableCoroutine(SWOOLE_HOOK_TCP | SWOOLE_HOOK_UNIX);

echo "== tcp: a full socket buffer lets other coroutines run ==\n";
$srv = stream_socket_server('tcp://127.0.0.1:0');
$addr = stream_socket_get_name($srv, false);
Co\run(function () use ($srv, $addr) {
    $cli = stream_socket_client("tcp://$addr");
    $peer = stream_socket_accept($srv);
    $ticks = 0;
    go(function () use (&$ticks) {
        for ($i = 0; $i < 20; $i++) {
            Co::sleep(0.01);
            $ticks++;
        }
    });
    go(function () use ($peer) {
        Co::sleep(0.1);
        $n = 0;
        while ($n < 8 << 20 && ($d = fread($peer, 65536)) !== false && $d !== '') {
            $n += strlen($d);
        }
        echo "peer read $n\n";
        fwrite($peer, "bye\n");
    });
    $w = fwrite($cli, str_repeat('x', 8 << 20));
    echo "wrote $w, other coroutines ran meanwhile: ", $ticks > 0 ? 'yes' : 'no', "\n";
    echo "reply: ", fgets($cli);
});

echo "== unix: reads wait in the coroutine, timeouts are PHP's ==\n";
$path = sys_get_temp_dir() . '/swoole-rs-198-' . getmypid() . '.sock';
@unlink($path);
$usrv = stream_socket_server("unix://$path");
Co\run(function () use ($usrv, $path) {
    $a = stream_socket_client("unix://$path");
    $b = stream_socket_accept($usrv);
    $order = [];
    go(function () use ($a, &$order) {
        $order[] = 'reader waits';
        $order[] = 'reader got ' . trim(fgets($a));
        stream_set_timeout($a, 0, 100000);
        $t = microtime(true);
        $r = fread($a, 10);
        $meta = stream_get_meta_data($a);
        $order[] = 'timed out: ' . json_encode([$r, $meta['timed_out']]) . (microtime(true) - $t >= 0.09 ? ' after the timeout' : ' too early');
    });
    $order[] = 'writer writes';
    fwrite($b, "ping\n");
    Co::sleep(0.3);
    echo implode("\n", $order), "\n";
});
@unlink($path);

echo "== connect: a slow connect waits in its coroutine ==\n";
// A full accept queue (nobody accepts, backlog 1): further SYNs are dropped.
$ctx = stream_context_create(['socket' => ['backlog' => 1]]);
$full = stream_socket_server('tcp://127.0.0.1:0', $e, $s, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
$fullAddr = stream_socket_get_name($full, false);
$held = [];
for ($i = 0; $i < 4; $i++) {
    $held[] = @stream_socket_client("tcp://$fullAddr", $errno, $errstr, 0.2, STREAM_CLIENT_CONNECT | STREAM_CLIENT_ASYNC_CONNECT);
}
usleep(100000);
$closed = stream_socket_server('tcp://127.0.0.1:0');
$closedAddr = stream_socket_get_name($closed, false);
fclose($closed);
$unhooked = [@stream_socket_client("tcp://$closedAddr", $errno, $errstr, 1), $errno, $errstr];
Co\run(function () use ($fullAddr, $closedAddr, $addr, $srv, $unhooked) {
    $ticks = 0;
    go(function () use (&$ticks) {
        for ($i = 0; $i < 10; $i++) {
            Co::sleep(0.03);
            $ticks++;
        }
    });
    $t = microtime(true);
    $c = @stream_socket_client("tcp://$fullAddr", $errno, $errstr, 0.3);
    printf("slow connect: %s errno=%d %s, %s, other coroutine ran meanwhile: %s\n", json_encode($c), $errno, $errstr,
        microtime(true) - $t >= 0.29 ? 'after the timeout' : 'too early', $ticks > 0 ? 'yes' : 'no');
    $refused = [@stream_socket_client("tcp://$closedAddr", $errno, $errstr, 1), $errno, $errstr];
    echo 'refused as unhooked: ', json_encode($refused === $unhooked), ' ', json_encode($refused), "\n";
    $ok = stream_socket_client("tcp://$addr", $errno, $errstr, 1);
    $peer = stream_socket_accept($srv);
    fwrite($ok, "connected\n");
    echo fgets($peer);
});

echo "== outside coroutines: PHP's own ==\n";
$cli = stream_socket_client("tcp://$addr");
$peer = stream_socket_accept($srv);
fwrite($peer, "plain\n");
echo fgets($cli);
stream_set_timeout($cli, 0, 50000);
var_dump(fread($cli, 10), stream_get_meta_data($cli)['timed_out']);

?>
--EXPECT--
== tcp: a full socket buffer lets other coroutines run ==
wrote 8388608, other coroutines ran meanwhile: yes
reply: peer read 8388608
bye
== unix: reads wait in the coroutine, timeouts are PHP's ==
reader waits
writer writes
reader got ping
timed out: [false,true] after the timeout
== connect: a slow connect waits in its coroutine ==
slow connect: false errno=110 Connection timed out, after the timeout, other coroutine ran meanwhile: yes
refused as unhooked: true [false,111,"Connection refused"]
connected
== outside coroutines: PHP's own ==
plain
bool(false)
bool(true)
