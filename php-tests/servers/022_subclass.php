<?php
// A userland subclass of Swoole\WebSocket\Server that registers its own method as the
// message callback.
class MyServer extends Swoole\WebSocket\Server
{
    public function __construct($port)
    {
        parent::__construct('127.0.0.1', $port);
        $this->on('message', [$this, 'onMessage']);
    }

    public function onMessage($server, $frame)
    {
        $server->push($frame->fd, strtoupper($frame->data));
    }
}

$s = new MyServer((int)$argv[1]);
$s->on('open', function ($server, $request) use ($s) {
    printf("open %d: %s, instanceof MyServer: %s, same object: %s\n", $request->fd, get_class($server),
        var_export($server instanceof MyServer, true), var_export($server === $s, true));
});
$s->on('close', function ($server, $fd) use ($s) {
    printf("close %d: %s, same object: %s\n", $fd, get_class($server), var_export($server === $s, true));
});
var_dump($s instanceof Swoole\WebSocket\Server, $s->port === (int)$argv[1]);
$s->start();
echo "after start\n";
