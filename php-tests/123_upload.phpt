--TEST--
manual API: multipart/form-data requests: fields in $request->post, uploads in $request->files with PHP's keys, the temporary file removed after the request
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$port = free_port();
$srv = ServerProcess::start(__DIR__ . '/servers/123_upload.php', [$port]);
$srv->waitForPort($port);

$b = 'xYzBoundary42';
$body = "--$b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello world\r\n"
    . "--$b\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\nline2\x00\xff\r\n"
    . "--$b--\r\n";
$resp = RawWs::httpRequest($port, "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=$b\r\nContent-Length: " . strlen($body) . "\r\n\r\n$body");
$json = json_decode(substr($resp, strpos($resp, "\r\n\r\n") + 4), true);
$tmp = $json['tmp_name'];
unset($json['tmp_name']);
var_dump($json);

$resp = RawWs::httpRequest($port, "GET /exists?path=" . urlencode($tmp) . " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
echo "tmp file after the request: ", substr($resp, strpos($resp, "\r\n\r\n") + 4), "\n";
var_dump($srv->stop());
?>
--EXPECT--
array(6) {
  ["post"]=>
  array(1) {
    ["title"]=>
    string(11) "hello world"
  }
  ["name"]=>
  string(9) "notes.txt"
  ["type"]=>
  string(10) "text/plain"
  ["size"]=>
  int(13)
  ["error"]=>
  int(0)
  ["content"]=>
  string(26) "6c696e65310a6c696e653200ff"
}
tmp file after the request: false
int(0)
