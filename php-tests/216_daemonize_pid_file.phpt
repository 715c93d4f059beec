--TEST--
workers: daemonize detaches the server (the command returns at once), pid_file holds the master's pid while it runs and is removed when SIGTERM stops it; the workers' output goes to log_file
--FILE--
<?php
require __DIR__ . '/lib/harness.php';
$port = free_port();
$dir = sys_get_temp_dir();
$pidFile = tempnam($dir, 'pid');
$logFile = tempnam($dir, 'log');
unlink($pidFile);
$master = 0;
register_shutdown_function(function () use (&$master, $pidFile, $logFile) {
    if ($master > 0) {
        foreach (process_descendants($master) as $pid) {
            send_signal($pid, SIGKILL);
        }
        send_signal($master, SIGKILL);
    }
    @unlink($pidFile);
    @unlink($logFile);
});
$srv = ServerProcess::start(__DIR__ . '/servers/216_daemon.php', [$port, $pidFile, $logFile]);
var_dump($srv->wait(10));
$deadline = microtime(true) + 10;
while (!is_file($pidFile) && microtime(true) < $deadline) {
    usleep(20000);
}
$master = (int)file_get_contents($pidFile);
echo "pid file names a live process other than the launcher: ", json_encode($master > 0 && $master !== $srv->pid() && posix_kill($master, 0)), "\n";
$ws = RawWs::connect($port);
$ws->sendText('hi');
echo preg_replace('/\d+$/', 'PID', $ws->recvFrame()['payload']), "\n";
$deadline = microtime(true) + 10;
while (substr_count((string)file_get_contents($logFile), 'workerstart') < 2 && microtime(true) < $deadline) {
    usleep(20000);
}
echo "workers write to the log file, with the master's pid: ", json_encode(substr_count(file_get_contents($logFile), "master=$master\n") === 2), "\n";
unset($ws);
posix_kill($master, SIGTERM);
$deadline = microtime(true) + 15;
while (posix_kill($master, 0) && microtime(true) < $deadline) {
    usleep(20000);
}
clearstatcache();
echo "stopped: ", json_encode(!posix_kill($master, 0)), ", pid file removed: ", json_encode(!is_file($pidFile)), "\n";
$master = 0;
?>
--EXPECT--
int(0)
pid file names a live process other than the launcher: true
echo hi from PID
workers write to the log file, with the master's pid: true
stopped: true, pid file removed: true
