--TEST--
reactor: TCP and UNIX stream hooks with PHP's own streams: a write into a full socket buffer lets other coroutines run, accepted streams are hooked too, a unix:// read waits in its coroutine and times out as PHP's own (false, timed_out), and outside coroutines streams are PHP's own
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
== outside coroutines: PHP's own ==
plain
bool(false)
bool(true)
