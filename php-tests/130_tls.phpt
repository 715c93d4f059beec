--TEST--
limits: SWOOLE_SSL serves wss:// with ssl_cert_file/ssl_key_file (a certificate the test creates) to Python websockets and to a raw TLS client; plain ws:// on the TLS port fails; a missing certificate is a clear error
--SKIPIF--
<?php if (!extension_loaded('openssl')) die('skip needs ext/openssl to create the certificate'); ?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

// A self-signed certificate for 127.0.0.1.
$dir = sys_get_temp_dir() . '/swrs-tls-' . getmypid();
@mkdir($dir);
$key = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
$conf = "$dir/openssl.cnf";
file_put_contents($conf, "[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:TRUE\n");
$csr = openssl_csr_new(['commonName' => '127.0.0.1'], $key, ['config' => $conf, 'digest_alg' => 'sha256']);
$cert = openssl_csr_sign($csr, null, $key, 1, ['config' => $conf, 'x509_extensions' => 'ext', 'digest_alg' => 'sha256']);
openssl_x509_export_to_file($cert, "$dir/cert.pem");
openssl_pkey_export_to_file($key, "$dir/key.pem");
register_shutdown_function(function () use ($dir) {
    array_map('unlink', glob("$dir/*"));
    rmdir($dir);
});

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/130_tls.php', [$port, "$dir/cert.pem", "$dir/key.pem"]);
$srv->waitForListening($port);

$r = py_client('tls_client.py', ["wss://127.0.0.1:$port/", "$dir/cert.pem"]);
echo $r['stdout'];
var_dump($r['code']);

// A raw TLS stream from PHP: upgrade by hand, one frame.
$ctx = stream_context_create(['ssl' => ['cafile' => "$dir/cert.pem", 'peer_name' => '127.0.0.1']]);
$s = stream_socket_client("tls://127.0.0.1:$port", $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
fwrite($s, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
$head = '';
while (!str_contains($head, "\r\n\r\n")) {
    $head .= fread($s, 1);
}
echo strtok($head, "\r\n"), "\n";
fwrite($s, RawWs::buildFrame(WS_OP_TEXT, 'raw tls'));
$reply = fread($s, 2);
$reply .= fread($s, ord($reply[1]));
echo bin2hex(substr($reply, 0, 2)), ' ', substr($reply, 2), "\n";
fclose($s);

// Plain text on the TLS port is not a TLS handshake: the connection just ends.
$plain = RawWs::httpRequest($port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2.0);
var_dump(str_starts_with($plain, 'HTTP/'));

var_dump($srv->stop());

// Missing files: start() throws.
$bad = ServerProcess::startCommand(array_merge(php_command(), ['-r', '
    $s = new Swoole\WebSocket\Server("127.0.0.1", 0, SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $s->on("message", function () {});
    try { $s->start(); } catch (Swoole\Exception $e) { echo $e->getMessage(), "\n"; }
    $s = new Swoole\WebSocket\Server("127.0.0.1", 0, SWOOLE_BASE, SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $s->set(["ssl_cert_file" => "/nonexistent.pem", "ssl_key_file" => "/nonexistent.key"]);
    $s->on("message", function () {});
    try { $s->start(); } catch (Swoole\Exception $e) { echo $e->getMessage(), "\n"; }
']));
var_dump($bad->wait(10));
echo $bad->stdout();
?>
--EXPECT--
recv: hello over tls
binary echo: ok
closed
int(0)
HTTP/1.1 101 Switching Protocols
8107 raw tls
bool(false)
int(0)
int(0)
failed to start the server: SWOOLE_SSL needs the ssl_cert_file and ssl_key_file settings
failed to start the server: cannot read certificate /nonexistent.pem: I/O error: No such file or directory (os error 2)
