--TEST--
reactor: timer accuracy: a 10 ms tick fires 1000 times in 10 s with under 1% drift, although every callback spends 3 ms of blocking work (the next beat is planned from the previous plan, not from when the callback ran)
--FILE--
<?php
$t0 = hrtime(true);
$n = 0;
$late = 0;
Swoole\Timer::tick(10, function ($id) use (&$n, &$late, $t0) {
    $n++;
    // How far behind its planned time this beat runs.
    $late = max($late, (hrtime(true) - $t0) / 1e6 - $n * 10);
    usleep(3000);
    if ($n === 1000) {
        Swoole\Timer::clear($id);
    }
});
Swoole\Event::wait();
$elapsed = (hrtime(true) - $t0) / 1e9;
$drift = abs($elapsed - 10.0) / 10.0;
printf("ticks: %d\n", $n);
echo $drift < 0.01 ? "drift under 1%\n" : sprintf("drift %.2f%% (%.3f s)\n", $drift * 100, $elapsed);
?>
--EXPECT--
ticks: 1000
drift under 1%
