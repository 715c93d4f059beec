<?php
/**
 * Helpers for the worker-process tests (php-tests/21x), on top of harness.php.
 *
 *   start_workers($mode, $n, $settings): [ServerProcess, port]   servers/210_workers.php, every worker started
 *   ask(RawWs $c, string $msg): string                             send a text, return the next text reply
 *   who(RawWs $c): array                                            ['worker' => id, 'pid' => pid, 'fd' => fd]
 *   clients_on_workers($port, $want, $max): array                   connect until clients sit on $want workers
 */

require_once __DIR__ . '/harness.php';

function start_workers(string $mode, int $n, array $settings = []): array
{
    $port = free_port();
    $srv = ServerProcess::start(__DIR__ . '/../servers/210_workers.php',
        [$port, $mode, $n, json_encode($settings ?: new stdClass())]);
    $srv->waitForListening($port);
    for ($i = 0; $i < $n; $i++) {
        $srv->waitForOutput("workerstart $i ");
    }
    return [$srv, $port];
}

function ask(RawWs $c, string $msg, float $timeout = 5.0): string
{
    $c->sendText($msg);
    $f = $c->recvFrame($timeout);
    if ($f === null) {
        throw new RuntimeException("connection closed while waiting for the reply to '$msg'");
    }
    return $f['payload'];
}

function who(RawWs $c): array
{
    if (!preg_match('/^w(\d+) p(\d+) fd(\d+)$/', $r = ask($c, 'who'), $m)) {
        throw new RuntimeException("unexpected reply to who: $r");
    }
    return ['worker' => (int)$m[1], 'pid' => (int)$m[2], 'fd' => (int)$m[3]];
}

/** Connects clients until they sit on at least $want distinct workers: [fd => [RawWs, who]]. */
function clients_on_workers(int $port, int $want, int $max = 64): array
{
    $clients = [];
    $workers = [];
    for ($i = 0; $i < $max && count($workers) < $want; $i++) {
        $c = RawWs::connect($port);
        $w = who($c);
        $clients[$w['fd']] = [$c, $w];
        $workers[$w['worker']] = true;
    }
    if (count($workers) < $want) {
        throw new RuntimeException("$max clients landed on only " . count($workers) . " workers");
    }
    return $clients;
}

/** The workerstart lines of a server's output: [id => [pid, ...]] in order. */
function worker_starts(string $out): array
{
    preg_match_all('/^workerstart (\d+) pid=(\d+) consistent=(\w+)$/m', $out, $m, PREG_SET_ORDER);
    $starts = [];
    foreach ($m as [, $id, $pid, $ok]) {
        if ($ok !== 'true') {
            throw new RuntimeException("worker $id: worker_id/getWorkerId()/worker_pid disagree");
        }
        $starts[(int)$id][] = (int)$pid;
    }
    return $starts;
}
