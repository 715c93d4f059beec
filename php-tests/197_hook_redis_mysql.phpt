--TEST--
reactor: TCP stream hook with real servers: with SWOOLE_HOOK_TCP, phpredis (BLPOP waiting 1 s on the server) and PDO MySQL / mysqli (SELECT SLEEP(0.3)) in five coroutines overlap instead of running one after another; results are the same as unhooked; a read timeout still times out; redis-server and mariadbd are started on free ports and stopped by pid
--SKIPIF--
<?php
foreach (['redis', 'pdo_mysql', 'mysqli'] as $ext) {
    if (!extension_loaded($ext)) {
        die("skip the $ext extension is missing (scripts/setup installs it)");
    }
}
foreach (['redis-server', 'mariadbd', 'mariadb-install-db'] as $bin) {
    if (trim((string)shell_exec("command -v $bin")) === '') {
        die("skip $bin is missing (scripts/setup installs it)");
    }
}
?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$dir = sys_get_temp_dir() . '/swoole-rs-197-' . getmypid();
@mkdir($dir);
$redisPort = free_port();
$redis = ServerProcess::startCommand(['redis-server', '--port', (string)$redisPort, '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no', '--dir', $dir]);
exec('mariadb-install-db --no-defaults --datadir=' . escapeshellarg("$dir/data")
    . ' --user=' . escapeshellarg(get_current_user() ?: 'root')
    . ' --auth-root-authentication-method=normal --skip-test-db 2>&1', $out, $rc);
if ($rc !== 0) {
    echo "mariadb-install-db failed:\n", implode("\n", $out), "\n";
}
$mysqlPort = free_port();
$mysql = ServerProcess::startCommand(['mariadbd', '--no-defaults', "--datadir=$dir/data",
    "--port=$mysqlPort", '--bind-address=127.0.0.1', "--socket=$dir/sock", '--user=root',
    '--skip-log-bin', '--innodb-buffer-pool-size=16M', "--pid-file=$dir/pid"]);
$redis->waitForListening($redisPort);
$mysql->waitForListening($mysqlPort, 60);

function round_trip(int $redisPort, int $mysqlPort): array
{
    $log = [];
    $t = microtime(true);
    Co\run(function () use ($redisPort, $mysqlPort, &$log) {
        for ($i = 0; $i < 5; $i++) {
            go(function () use ($redisPort, $mysqlPort, $i, &$log) {
                $r = new Redis();
                $r->connect('127.0.0.1', $redisPort);
                $r->set("k$i", "v$i");
                $pop = $r->blPop(["empty$i"], 1);
                $log[] = "redis $i: " . $r->get("k$i") . ' blpop=' . json_encode($pop);
            });
            go(function () use ($mysqlPort, $i, &$log) {
                $pdo = new PDO("mysql:host=127.0.0.1;port=$mysqlPort", 'root', '');
                $row = $pdo->query("SELECT SLEEP(0.3) AS s, $i AS n")->fetch(PDO::FETCH_ASSOC);
                $m = new mysqli('127.0.0.1', 'root', '', '', $mysqlPort);
                $row2 = $m->query("SELECT SLEEP(0.3) AS s, $i * 2 AS n")->fetch_assoc();
                $log[] = "mysql $i: " . json_encode($row) . ' ' . json_encode($row2);
            });
        }
    });
    sort($log);
    return [$log, microtime(true) - $t];
}

echo "== unhooked ==\n";
[$plain, $dt] = round_trip($redisPort, $mysqlPort);
echo implode("\n", $plain), "\n";
echo $dt > 4.5 ? "one after another\n" : "unexpectedly fast: $dt\n";

echo "== SWOOLE_HOOK_TCP ==\n";
var_dump(Swoole\Runtime::enableCoroutine(SWOOLE_HOOK_TCP));
[$hooked, $dt] = round_trip($redisPort, $mysqlPort);
echo $hooked === $plain ? "same results\n" : implode("\n", $hooked) . "\n";
echo $dt < 2.0 ? "overlapped\n" : "not concurrent: $dt\n";

echo "== read timeout ==\n";
Co\run(function () use ($redisPort) {
    $r = new Redis();
    $r->connect('127.0.0.1', $redisPort, 0, null, 0, 0.2);
    try {
        $r->blPop(['nothing'], 2);
        echo "no timeout\n";
    } catch (RedisException $e) {
        echo "RedisException: ", $e->getMessage(), "\n";
    }
});

var_dump($redis->stop(), $mysql->stop());
exec('rm -rf ' . escapeshellarg($dir));
?>
--EXPECTF--
== unhooked ==
mysql 0: {"s":0,"n":0} {"s":"0","n":"0"}
mysql 1: {"s":0,"n":1} {"s":"0","n":"2"}
mysql 2: {"s":0,"n":2} {"s":"0","n":"4"}
mysql 3: {"s":0,"n":3} {"s":"0","n":"6"}
mysql 4: {"s":0,"n":4} {"s":"0","n":"8"}
redis 0: v0 blpop=[]
redis 1: v1 blpop=[]
redis 2: v2 blpop=[]
redis 3: v3 blpop=[]
redis 4: v4 blpop=[]
one after another
== SWOOLE_HOOK_TCP ==
bool(true)
same results
overlapped
== read timeout ==
RedisException: read error on connection to 127.0.0.1:%d
int(0)
int(0)
