--TEST--
workers: log_file with log_rotation (SWOOLE_LOG_ROTATION_DAILY: the file name gets the date) and log_date_format (the time in each line): the manager's line about a killed worker lands there
--FILE--
<?php
require __DIR__ . '/lib/workers.php';
$log = tempnam(sys_get_temp_dir(), 'log');
unlink($log);
[$srv, $port] = start_workers('base', 1, ['max_request' => 1000, 'log_file' => $log,
    'log_rotation' => SWOOLE_LOG_ROTATION_DAILY, 'log_date_format' => '%d.%m.%Y']);
$ws = RawWs::connect($port);
$ws->sendText('kill');
$srv->waitForOutput("workererror 0 ");
$file = $log . '.' . date('Ymd');
$deadline = microtime(true) + 5;
while (!is_file($file) && microtime(true) < $deadline) {
    usleep(20000);
    clearstatcache();
}
$line = (string)@file_get_contents($file);
echo preg_match('/^\[' . preg_quote(date('d.m.Y')) . ' \*\d+\.0\]\tWARNING\t.*worker\(pid=\d+, id=0\) abnormal exit, status=0, signal=9$/m', $line)
    ? "rotated file, formatted date: ok\n" : "log: " . json_encode($line) . "\n";
echo "nothing in the unrotated file: ", json_encode(!is_file($log)), "\n";
var_dump($srv->stop());
@unlink($file);
?>
--EXPECT--
rotated file, formatted date: ok
nothing in the unrotated file: true
int(0)
