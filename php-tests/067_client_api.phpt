--TEST--
client: API surface: Co\Http\Client is a class alias of Swoole\Coroutine\Http\Client, Co\run and Swoole\Coroutine\run are functions, the client's properties, set() merges into $client->setting, setHeaders() fills requestHeaders, constructor checks
--FILE--
<?php
use Swoole\Coroutine\Http\Client;

$c = new Co\Http\Client('127.0.0.1', 9501);
var_dump(get_class($c), $c instanceof Client, Co\Http\Client::class);
var_dump((new ReflectionClass('Co\Http\Client'))->getName());
var_dump(class_exists('Co'), (new ReflectionClass('Co'))->getName());
foreach (['Swoole\Coroutine\run', 'Co\run', 'go'] as $f) {
    $r = new ReflectionFunction($f);
    echo $r->getName(), ': ', $r->getNumberOfParameters(), ' parameters, variadic ', var_export($r->isVariadic(), true), "\n";
}
foreach (['set', 'setHeaders', 'upgrade', 'push', 'recv', 'close', 'ping', 'disconnect', 'getStatusCode', 'getHeaders', 'getBody'] as $m) {
    echo $m, ': ', method_exists($c, $m) ? 'yes' : 'NO', "\n";
}
var_dump($c);

var_dump($c->set(['timeout' => 1.5, 'websocket_compression' => true]));
var_dump($c->set(['timeout' => 2, 'open_websocket_pong_frame' => false]));
var_dump($c->setting);
var_dump($c->setHeaders(['X-A' => 'b']), $c->requestHeaders);

$d = new Client('localhost');
var_dump($d->host, $d->port, $d->ssl);
try {
    new Client('');
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECTF--
string(28) "Swoole\Coroutine\Http\Client"
bool(true)
string(14) "Co\Http\Client"
string(28) "Swoole\Coroutine\Http\Client"
bool(true)
string(16) "Swoole\Coroutine"
Swoole\Coroutine\run: 2 parameters, variadic true
Co\run: 2 parameters, variadic true
go: 2 parameters, variadic true
set: yes
setHeaders: yes
upgrade: yes
push: yes
recv: yes
close: yes
ping: yes
disconnect: yes
getStatusCode: yes
getHeaders: yes
getBody: yes
object(Swoole\Coroutine\Http\Client)#1 (18) {
  ["host"]=>
  string(9) "127.0.0.1"
  ["port"]=>
  int(9501)
  ["ssl"]=>
  bool(false)
  ["errCode"]=>
  int(0)
  ["errMsg"]=>
  string(0) ""
  ["connected"]=>
  bool(false)
  ["setting"]=>
  NULL
  ["requestMethod"]=>
  NULL
  ["requestHeaders"]=>
  NULL
  ["requestBody"]=>
  NULL
  ["uploadFiles"]=>
  NULL
  ["downloadFile"]=>
  NULL
  ["downloadOffset"]=>
  int(0)
  ["statusCode"]=>
  int(0)
  ["headers"]=>
  NULL
  ["set_cookie_headers"]=>
  NULL
  ["cookies"]=>
  NULL
  ["body"]=>
  string(0) ""
}
bool(true)
bool(true)
array(3) {
  ["timeout"]=>
  int(2)
  ["websocket_compression"]=>
  bool(true)
  ["open_websocket_pong_frame"]=>
  bool(false)
}
bool(true)
array(1) {
  ["X-A"]=>
  string(1) "b"
}
string(9) "localhost"
int(80)
bool(false)
Exception: host is empty
