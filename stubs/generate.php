<?php
/**
 * Writes stubs/swoole_rs.stub.php from the loaded extension's reflection: every class,
 * method, property, function, constant and class alias that swoole_rs registers, with
 * the doc comments of the table below.
 *
 *   php stubs/generate.php [OUTPUT]    OUTPUT defaults to stubs/swoole_rs.stub.php; - is stdout
 *
 * Without the extension loaded, it runs itself again with target/release/libswoole_rs.so
 * (what scripts/build makes; SWOOLE_RS_SO names another .so).
 *
 * Signatures, defaults and declared types come from reflection alone; the table only adds
 * words, and @param/@return types where reflection says no more than `mixed`. Anything
 * registered without a description, and any description that matches nothing, is reported
 * on stderr (exit status 2): php-tests/170_stubs_match_reflection.phpt fails on either.
 */

declare(strict_types=1);

if (!extension_loaded('swoole_rs')) {
    $target = getenv('CARGO_TARGET_DIR') ?: 'target';
    if ($target[0] !== '/') {
        $target = dirname(__DIR__) . "/$target";
    }
    $so = getenv('SWOOLE_RS_SO') ?: "$target/release/libswoole_rs.so";
    if (getenv('SWOOLE_RS_STUBS_REEXEC') !== '1' && is_file($so)) {
        putenv('SWOOLE_RS_STUBS_REEXEC=1');
        $cmd = array_merge([PHP_BINARY, '-d', "extension=$so", __FILE__], array_slice($argv, 1));
        $p = proc_open($cmd, [0 => STDIN, 1 => STDOUT, 2 => STDERR], $pipes);
        exit(is_resource($p) ? proc_close($p) : 1);
    }
    fwrite(STDERR, "generate.php: the swoole_rs extension is not loaded (and no $so):\n"
        . "  php -d extension=\$(scripts/build) stubs/generate.php\n");
    exit(1);
}

// --- descriptions --------------------------------------------------------------------
// 'Class' => summary; 'Class::method' => summary or [summary, tag lines...];
// 'Class::$prop' => [type, summary]; 'function' => like a method.

const DOCS = [
    // Swoole\Connection\Iterator
    'Swoole\Connection\Iterator' => 'What $server->connections is: the fds of the open connections when it was read.',
    'Swoole\Connection\Iterator::__construct' => 'An empty iterator; the server makes the real ones.',
    'Swoole\Connection\Iterator::rewind' => 'Back to the first fd.',
    'Swoole\Connection\Iterator::next' => 'On to the next fd.',
    'Swoole\Connection\Iterator::current' => 'The fd at this position.',
    'Swoole\Connection\Iterator::key' => 'The position (0, 1, ...).',
    'Swoole\Connection\Iterator::valid' => 'Whether there is an fd at this position.',
    'Swoole\Connection\Iterator::count' => 'How many connections there were when the property was read.',
    'Swoole\Connection\Iterator::offsetExists' => 'Whether $fd is an open connection now: isset($server->connections[$fd]).',
    'Swoole\Connection\Iterator::offsetGet' => 'connection_info($fd), or false.',
    'Swoole\Connection\Iterator::offsetSet' => 'Ignored: the list is read-only.',
    'Swoole\Connection\Iterator::offsetUnset' => 'Ignored: the list is read-only.',

    // Swoole\Server\Port
    'Swoole\Server\Port' => 'One more listening port of a server, from $server->listen() / addListener(), served by the same loop.',
    'Swoole\Server\Port::$host' => ['string', 'The address it listens on.'],
    'Swoole\Server\Port::$port' => ['int', 'The port it listens on (the real one when 0 was asked for).'],
    'Swoole\Server\Port::$type' => ['int', 'The socket type given to listen() (SWOOLE_SOCK_TCP, | SWOOLE_SSL).'],
    'Swoole\Server\Port::$ssl' => ['bool', 'Whether SWOOLE_SSL is in the type (the server\'s certificate is used).'],
    'Swoole\Server\Port::$setting' => ['array|null', 'Everything passed to set(), merged; null before set().'],
    'Swoole\Server\Port::__construct' => 'Not for use: ports come from $server->listen().',
    'Swoole\Server\Port::set' => 'Protocol for this port: open_http_protocol / open_websocket_protocol (false: raw TCP with onReceive). Without set() the port speaks what the server speaks.',
    'Swoole\Server\Port::on' => 'A callback for this port\'s connections only; events without one go to the server\'s callbacks.',
    'Swoole\Server\Port::getCallback' => 'The callback set with on() on this port, or null.',

    // Swoole\Exception
    'Swoole\Exception' => 'Thrown by the extension where Swoole throws: a port that cannot be bound, start() misuse.',

    // Swoole\WebSocket\Frame
    'Swoole\WebSocket\Frame' => 'A WebSocket frame: what onMessage receives, and what push() and pack() take instead of a string.',
    'Swoole\WebSocket\Frame::$fd' => ['int', 'Connection the frame came from.'],
    'Swoole\WebSocket\Frame::$data' => ['string|null', 'Payload: a whole message when received; null in a new frame.'],
    'Swoole\WebSocket\Frame::$opcode' => ['int', 'WEBSOCKET_OPCODE_*: 1 text, 2 binary, 9 ping, 10 pong.'],
    'Swoole\WebSocket\Frame::$flags' => ['int', 'SWOOLE_WEBSOCKET_FLAG_* bits (FIN is 1).'],
    'Swoole\WebSocket\Frame::$finish' => ['bool', 'Whether this is the final fragment (true in a new frame); overrides the FIN bit of $flags.'],
    'Swoole\WebSocket\Frame::__construct' => 'An empty text frame, to fill in and push.',
    'Swoole\WebSocket\Frame::__toString' => 'The frame encoded for the wire, as pack() encodes it.',
    'Swoole\WebSocket\Frame::pack' => [
        'Encodes a string (with $opcode, default text, and $flags, default FIN) or a Frame into wire bytes.',
        '@param string|Frame $data',
    ],
    'Swoole\WebSocket\Frame::unpack' => [
        'Decodes one whole frame from wire bytes (unmasked, inflated if compressed); false if incomplete.',
        '@param string $data',
        '@return Frame|CloseFrame|false',
    ],

    // Swoole\WebSocket\CloseFrame
    'Swoole\WebSocket\CloseFrame' => 'A close frame: $code and $reason instead of $data.',
    'Swoole\WebSocket\CloseFrame::$opcode' => ['int', 'WEBSOCKET_OPCODE_CLOSE (8).'],
    'Swoole\WebSocket\CloseFrame::$code' => ['int', 'Close code, WEBSOCKET_CLOSE_* (1000: normal).'],
    'Swoole\WebSocket\CloseFrame::$reason' => ['string', 'Close reason.'],

    // Swoole\Http\Request
    'Swoole\Http\Request' => 'The HTTP request that onRequest, onOpen and onHandShake receive.',
    'Swoole\Http\Request::$fd' => ['int', 'Connection the request came on.'],
    'Swoole\Http\Request::$streamId' => ['int', 'Always 0 (no HTTP/2).'],
    'Swoole\Http\Request::$header' => ['array<string, string>|null', 'Request headers, names in lower case.'],
    'Swoole\Http\Request::$server' => ['array<string, mixed>|null', 'request_method, request_uri, path_info, query_string, server_protocol, remote_addr, ...'],
    'Swoole\Http\Request::$cookie' => ['array<string, string>|null', 'Cookies of the Cookie header, or null.'],
    'Swoole\Http\Request::$get' => ['array<string, mixed>|null', 'Query string parameters, or null.'],
    'Swoole\Http\Request::$files' => ['array|null', 'Always null: multipart uploads are not parsed.'],
    'Swoole\Http\Request::$post' => ['array<string, mixed>|null', 'Fields of an application/x-www-form-urlencoded body, or null.'],
    'Swoole\Http\Request::$tmpfiles' => ['array|null', 'Always null.'],
    'Swoole\Http\Request::__construct' => 'An empty request; the server makes the real ones.',
    'Swoole\Http\Request::getContent' => 'The raw request body; null for a Request the server did not make.',
    'Swoole\Http\Request::rawContent' => 'Same as getContent().',
    'Swoole\Http\Request::getMethod' => 'The request method, e.g. GET.',
    'Swoole\Http\Request::getData' => 'The whole request as received: head and body.',
    'Swoole\Http\Request::isCompleted' => 'Whether the request was read completely (true for every request the server makes).',

    // Swoole\Http\Response
    'Swoole\Http\Response' => 'The answer to a request in onRequest (or to a handshake in onHandShake and onBeforeHandShakeResponse).',
    'Swoole\Http\Response::$fd' => ['int', 'Connection the response goes to.'],
    'Swoole\Http\Response::__construct' => 'A response tied to no connection; the server makes the real ones.',
    'Swoole\Http\Response::status' => 'Sets the status code (100-999) and optionally the reason phrase; false once sent.',
    'Swoole\Http\Response::setStatusCode' => 'Same as status().',
    'Swoole\Http\Response::header' => [
        'Sets a header, its name formatted like Content-Type unless $format is false; false once sent.',
        '@param string $value',
    ],
    'Swoole\Http\Response::setHeader' => ['Same as header().', '@param string $value'],
    'Swoole\Http\Response::isWritable' => 'Whether the response can still be written: not ended, client still there.',
    'Swoole\Http\Response::write' => [
        'Sends a chunk of the body (Transfer-Encoding: chunked; the head goes first).',
        '@param string $data',
    ],
    'Swoole\Http\Response::end' => [
        'Sends the response with $content as its body and finishes it; false if already ended.',
        '@param string|null $content',
    ],
    'Swoole\Http\Response::close' => 'Closes the connection without (further) response.',
    'Swoole\Http\Response::cookie' => 'Adds a Set-Cookie header (value URL-encoded; an empty value deletes the cookie), on any response, the 101 of a handshake included; false with a warning for a bad name.',
    'Swoole\Http\Response::setCookie' => 'Same as cookie().',
    'Swoole\Http\Response::rawcookie' => 'Like cookie(), the value written as given; false with a warning for a value with separators.',

    // Swoole\Server
    'Swoole\Server' => 'Swoole\'s base server: plain TCP with onReceive. Http\Server and WebSocket\Server extend it.',
    'Swoole\Server::$setting' => ['array<string, mixed>', 'Everything passed to set(), merged (read-only).'],
    'Swoole\Server::$connections' => ['\Swoole\Connection\Iterator', 'Every connection of the server, every worker\'s (plain HTTP ones included): count(), foreach over fds, [$fd] for connection_info (read-only).'],
    'Swoole\Server::$host' => ['string', 'Host given to the constructor (read-only).'],
    'Swoole\Server::$port' => ['int', 'Port listened on; the one the system chose when 0 was given (read-only).'],
    'Swoole\Server::$mode' => ['int', 'Mode given to the constructor (read-only).'],
    'Swoole\Server::$type' => ['int', 'Socket type given to the constructor (read-only).'],
    'Swoole\Server::$master_pid' => ['int', 'Pid of the master process, once start() runs (read-only).'],
    'Swoole\Server::$manager_pid' => ['int', 'Pid of the manager process (0 when the server runs as one process) (read-only).'],
    'Swoole\Server::$worker_id' => ['int', 'This worker\'s id (0..worker_num-1), -1 outside workers (read-only).'],
    'Swoole\Server::$worker_pid' => ['int', 'This worker\'s pid (read-only).'],
    'Swoole\Server::$taskworker' => ['bool', 'Whether this process is a task worker (read-only).'],
    'Swoole\Server::__construct' => [
        'Listens on host:port at once (port 0: any free port); throws Swoole\Exception if it cannot.',
        '@param string|null $host default 0.0.0.0',
        '@param int $port',
        '@param int|null $mode SWOOLE_BASE (default: workers serve their own connections) or SWOOLE_PROCESS (the master holds them)',
        '@param int|null $sock_type SWOOLE_SOCK_TCP (default) or SWOOLE_SOCK_TCP6, | SWOOLE_SSL for TLS',
        '@throws Exception',
    ],
    'Swoole\Server::on' => [
        'Sets the callback of an event: open, message, close, request, handshake, ... (case-insensitive).',
        '@param callable $callback',
    ],
    'Swoole\Server::getCallback' => ['The callback set for an event, or null.', '@return callable|null'],
    'Swoole\Server::listen' => 'Listens on one more port (bound now, served from start()): a Swoole\\Server\\Port, or false with a warning.',
    'Swoole\Server::addlistener' => 'Same as listen().',
    'Swoole\Server::set' => 'Applies settings (package_max_length, websocket_compression, ...); false once started.',
    'Swoole\Server::start' => [
        'Serves until shutdown(), SIGINT or SIGTERM, running the callbacks; then returns.',
        '@throws Exception when a required callback (onMessage, onRequest, onReceive) is missing',
    ],
    'Swoole\Server::send' => [
        'Sends raw bytes to a connection, without WebSocket framing.',
        '@param int $fd',
        '@param string $send_data',
    ],
    'Swoole\Server::close' => 'Closes a connection (a WebSocket gets a 1000 close frame first); $reset is ignored.',
    'Swoole\Server::exist' => 'Whether the connection exists and is not closing.',
    'Swoole\Server::exists' => 'Same as exist().',
    'Swoole\Server::getClientInfo' => [
        'Details of a connection (remote_ip, remote_port, websocket_status, ...), or false.',
        '@return array<string, mixed>|false',
    ],
    'Swoole\Server::connection_info' => ['Same as getClientInfo().', '@return array<string, mixed>|false'],
    'Swoole\Server::getClientList' => [
        'Up to $find_count (default 10) fds above $start_fd (default 0); false when not running.',
        '@return int[]|false',
    ],
    'Swoole\Server::connection_list' => ['Same as getClientList().', '@return int[]|false'],
    'Swoole\Server::defer' => ['Runs $callback once the current callback has returned.', '@param callable $callback'],
    'Swoole\Server::shutdown' => 'Stops the server: clients get a close frame, then start() returns. False when not running.',
    'Swoole\Server::stop' => 'Stops a worker (default: this one) after its current callback; the manager starts a new one. One process: same as shutdown().',
    'Swoole\Server::stats' => [
        'Counters: start_time, connection_num, accept_count, close_count, ... (empty when not running).',
        '@return array<string, int>',
    ],
    'Swoole\Server::getMasterPid' => 'Pid of the master process.',
    'Swoole\Server::getManagerPid' => 'Pid of the manager process (0 when the server runs as one process).',
    'Swoole\Server::getWorkerId' => 'This worker\'s id, or false outside workers.',
    'Swoole\Server::getWorkerPid' => ['Pid of a worker (default: this one), or false.', '@return int|false'],
    'Swoole\Server::getWorkerStatus' => ['SWOOLE_WORKER_BUSY/IDLE/EXIT of a worker (default: this one), or false.', '@return int|false'],
    'Swoole\Server::sendMessage' => ['Sends $message to worker $dst_worker_id: its onPipeMessage gets it.', '@param mixed $message'],
    'Swoole\Server::reload' => 'Restarts every worker, one at a time, after its current callback (as SIGUSR1).',
    'Swoole\Server::bind' => 'dispatch_mode 5: later events of $fd go to the worker of $uid (SWOOLE_PROCESS).',

    // Swoole\Http\Server
    'Swoole\Http\Server' => 'An HTTP/1.1 server: onRequest gets a Request and a Response.',

    // Swoole\WebSocket\Server
    'Swoole\WebSocket\Server' => 'A WebSocket server (RFC 6455): onOpen, onMessage, onClose; plain HTTP requests go to onRequest.',
    'Swoole\WebSocket\Server::push' => [
        'Sends a message to an established connection: a string with $opcode (default text) and $flags (default FIN), or a Frame.',
        '@param string|Frame $data',
        '@param int|bool|null $flags SWOOLE_WEBSOCKET_FLAG_* bits, or the older bool $finish',
    ],
    'Swoole\WebSocket\Server::disconnect' => [
        'Closes a connection with a close frame: $code 1000 (default) or 4000-4999, $reason up to 123 bytes.',
        '@param string|null $reason',
    ],
    'Swoole\WebSocket\Server::ping' => ['Sends a ping frame (payload up to 125 bytes).', '@param string|null $data'],
    'Swoole\WebSocket\Server::isEstablished' => 'Whether $fd is a WebSocket connection past its handshake and not closing.',
    'Swoole\WebSocket\Server::pack' => [
        'Same as Frame::pack().',
        '@param string|Frame $data',
    ],
    'Swoole\WebSocket\Server::unpack' => [
        'Same as Frame::unpack().',
        '@param string $data',
        '@return Frame|CloseFrame|false',
    ],

    // Swoole\Coroutine\Http\Client
    'Swoole\Coroutine\Http\Client' => 'The WebSocket client (alias Co\Http\Client); waits suspend the calling coroutine (Co\run(), go(), any server callback), block outside coroutines.',
    'Swoole\Coroutine\Http\Client::$host' => ['string', 'Host to connect to (read-only).'],
    'Swoole\Coroutine\Http\Client::$port' => ['int', 'Port to connect to (read-only).'],
    'Swoole\Coroutine\Http\Client::$ssl' => ['bool', 'Whether TLS was asked for; not supported: upgrade() fails (read-only).'],
    'Swoole\Coroutine\Http\Client::$errCode' => ['int', 'Error code of the last failure (0: none).'],
    'Swoole\Coroutine\Http\Client::$errMsg' => ['string', 'Message of the last failure.'],
    'Swoole\Coroutine\Http\Client::$connected' => ['bool', 'Whether the connection is upgraded and open.'],
    'Swoole\Coroutine\Http\Client::$setting' => ['array<string, mixed>|null', 'Everything passed to set(), merged.'],
    'Swoole\Coroutine\Http\Client::$requestMethod' => ['string|null', 'Not used: the client only upgrades.'],
    'Swoole\Coroutine\Http\Client::$requestHeaders' => ['array<string, string>|null', 'Headers for the upgrade request, from setHeaders().'],
    'Swoole\Coroutine\Http\Client::$requestBody' => ['string|null', 'Not used.'],
    'Swoole\Coroutine\Http\Client::$uploadFiles' => ['array|null', 'Not used.'],
    'Swoole\Coroutine\Http\Client::$downloadFile' => ['string|null', 'Not used.'],
    'Swoole\Coroutine\Http\Client::$downloadOffset' => ['int', 'Not used.'],
    'Swoole\Coroutine\Http\Client::$statusCode' => ['int', 'HTTP status of the upgrade answer; -1: no connection, -2: timed out, -3: no HTTP answer.'],
    'Swoole\Coroutine\Http\Client::$headers' => ['array<string, string>|null', 'Headers of the upgrade answer.'],
    'Swoole\Coroutine\Http\Client::$set_cookie_headers' => ['array|null', 'Not used.'],
    'Swoole\Coroutine\Http\Client::$cookies' => ['array|null', 'Not used.'],
    'Swoole\Coroutine\Http\Client::$body' => ['string', 'Body of a refused upgrade\'s answer.'],
    'Swoole\Coroutine\Http\Client::__construct' => [
        'A client for host:port (default 80, 443 with $ssl); nothing connects before upgrade().',
        '@param int|null $port',
    ],
    'Swoole\Coroutine\Http\Client::set' => 'Applies settings (timeout, websocket_compression, websocket_mask, package_max_length, ...).',
    'Swoole\Coroutine\Http\Client::setHeaders' => ['Headers for the upgrade request.', '@param array<string, string> $headers'],
    'Swoole\Coroutine\Http\Client::upgrade' => 'Connects and performs the WebSocket handshake for $path; false on failure (see $errCode, $statusCode).',
    'Swoole\Coroutine\Http\Client::push' => [
        'Sends a string (with $opcode and $flags) or a Frame; false on failure.',
        '@param string|\Swoole\WebSocket\Frame $data',
        '@param int|bool|null $flags SWOOLE_WEBSOCKET_FLAG_* bits, or the older bool $finish',
    ],
    'Swoole\Coroutine\Http\Client::recv' => [
        'The next frame; false on an error or timeout, "" once the server has closed. $timeout <= 0: the read timeout.',
        '@return \Swoole\WebSocket\Frame|string|false',
    ],
    'Swoole\Coroutine\Http\Client::ping' => ['Sends a ping frame.', '@param string|null $data'],
    'Swoole\Coroutine\Http\Client::disconnect' => [
        'Sends a close frame with $code (default 1000) and $reason, then closes.',
        '@param string|null $reason',
    ],
    'Swoole\Coroutine\Http\Client::close' => 'Closes the connection (with a 1000 close frame when upgraded).',
    'Swoole\Coroutine\Http\Client::getStatusCode' => ['The value of $statusCode.', '@return int'],
    'Swoole\Coroutine\Http\Client::getHeaders' => ['The value of $headers.', '@return array<string, string>|null'],
    'Swoole\Coroutine\Http\Client::getBody' => ['The value of $body.', '@return string'],

    // Swoole\Coroutine
    'Swoole\Coroutine' => 'Coroutine helpers (alias Co) that go with Swoole\Coroutine\run().',
    'Swoole\Coroutine::__construct' => 'Nothing to construct: every method is static.',
    'Swoole\Coroutine::create' => ['Same as go().', '@param callable $func', '@return int|false'],
    'Swoole\Coroutine::getCid' => 'The running coroutine\'s id, or -1 outside coroutines.',
    'Swoole\Coroutine::getuid' => 'Same as getCid().',
    'Swoole\Coroutine::sleep' => 'Sleeps without holding up other coroutines (outside coroutines: blocks).',

    // Swoole\Table
    'Swoole\Table' => 'A fixed-size hash table of typed rows in shared memory: made before start(), shared by every worker process.',
    'Swoole\Table::TYPE_INT' => 'Column type: 64-bit integer.',
    'Swoole\Table::TYPE_FLOAT' => 'Column type: double.',
    'Swoole\Table::TYPE_STRING' => 'Column type: string of at most the column size (rounded up to 8) bytes.',
    'Swoole\Table::$size' => ['int|null', 'Rows (rounded up to a power of two, at least 64); set by create().'],
    'Swoole\Table::$memorySize' => ['int|null', 'Bytes of shared memory the table maps; set by create().'],
    'Swoole\Table::__construct' => 'A table of $table_size rows (rounded up to a power of two) plus $conflict_proportion (0.2 to 1) more for colliding keys.',
    'Swoole\Table::column' => 'Declares a column (before create()): TYPE_INT, TYPE_FLOAT, or TYPE_STRING with its $size in bytes.',
    'Swoole\Table::create' => 'Maps the shared memory; the columns are fixed from then on.',
    'Swoole\Table::destroy' => 'Unmaps the table in this process.',
    'Swoole\Table::set' => [
        'Stores the columns given in $value under $key (keys are cut to 63 bytes); false when the table is full.',
        '@param string $key',
        '@param array<string, int|float|string> $value',
    ],
    'Swoole\Table::get' => [
        'The row of $key as an array, or one $field of it; false if there is no such row (or column).',
        '@param string $key',
        '@param string|null $field',
        '@return array<string, int|float|string>|int|float|string|false',
    ],
    'Swoole\Table::count' => 'Rows stored.',
    'Swoole\Table::del' => ['Removes the row of $key; false if there was none.', '@param string $key'],
    'Swoole\Table::delete' => ['Same as del().', '@param string $key'],
    'Swoole\Table::exists' => ['Whether a row has $key.', '@param string $key'],
    'Swoole\Table::exist' => ['Same as exists().', '@param string $key'],
    'Swoole\Table::incr' => [
        'Adds $incrby to a numeric column of $key\'s row (made if missing) and returns the new value; false on a string or unknown column, or a full table.',
        '@param string $key',
        '@param int|float|null $incrby',
        '@return int|float|false',
    ],
    'Swoole\Table::decr' => [
        'Subtracts $incrby, as incr() adds it.',
        '@param string $key',
        '@param int|float|null $incrby',
        '@return int|float|false',
    ],
    'Swoole\Table::getSize' => 'Rows, after rounding.',
    'Swoole\Table::getMemorySize' => 'Bytes of shared memory mapped (0 before create()).',
    'Swoole\Table::stats' => [
        'num, conflict_count, conflict_max_level, insert_count, update_count, delete_count, available_slice_num, total_slice_num; false before create().',
        '@return array<string, int>|false',
    ],
    'Swoole\Table::rewind' => 'Iterator: back to the first row.',
    'Swoole\Table::valid' => 'Iterator: whether there is a current row.',
    'Swoole\Table::next' => 'Iterator: on to the next row.',
    'Swoole\Table::current' => ['Iterator: the current row (a copy).', '@return array<string, int|float|string>|null'],
    'Swoole\Table::key' => ['Iterator: the current row\'s key.', '@return string|null'],

    // Swoole\Atomic, Swoole\Atomic\Long
    'Swoole\Atomic' => 'A 32-bit unsigned counter in shared memory, with wait() and wakeup() between processes.',
    'Swoole\Atomic::__construct' => 'A counter starting at $value.',
    'Swoole\Atomic::add' => 'Adds (wrapping at 2^32) and returns the new value.',
    'Swoole\Atomic::sub' => 'Subtracts (wrapping below 0) and returns the new value.',
    'Swoole\Atomic::get' => 'The current value.',
    'Swoole\Atomic::set' => 'Sets the value.',
    'Swoole\Atomic::cmpset' => 'Sets $new_value if the value is $cmp_value; whether it did.',
    'Swoole\Atomic::wait' => 'With the value 1: takes it (sets 0) and returns true at once. With 0: sleeps until wakeup() or $timeout seconds (<= 0: no limit); false on timeout.',
    'Swoole\Atomic::wakeup' => 'Sets a value of 0 to 1 and wakes up to $count processes sleeping in wait().',
    'Swoole\Atomic\Long' => 'A 64-bit signed counter in shared memory.',
    'Swoole\Atomic\Long::__construct' => 'A counter starting at $value.',
    'Swoole\Atomic\Long::add' => 'Adds and returns the new value.',
    'Swoole\Atomic\Long::sub' => 'Subtracts and returns the new value.',
    'Swoole\Atomic\Long::get' => 'The current value.',
    'Swoole\Atomic\Long::set' => 'Sets the value.',
    'Swoole\Atomic\Long::cmpset' => 'Sets $new_value if the value is $cmp_value; whether it did.',

    // Swoole\Lock
    'Swoole\Lock' => 'A lock in shared memory (process-shared pthread mutex, read-write lock or spin lock), made before start() to lock between workers.',
    'Swoole\Lock::MUTEX' => 'Lock type: mutex (the default).',
    'Swoole\Lock::RWLOCK' => 'Lock type: read-write lock (LOCK_SH takes a read lock).',
    'Swoole\Lock::SPINLOCK' => 'Lock type: spin lock.',
    'Swoole\Lock::$errCode' => ['int', 'Error number of the last failed lock() or unlock(): 16 (EBUSY) with LOCK_NB, 110 (ETIMEDOUT) after $timeout.'],
    'Swoole\Lock::__construct' => 'A lock of $type (SWOOLE_MUTEX, SWOOLE_RWLOCK or SWOOLE_SPINLOCK); Swoole\Exception for another type.',
    'Swoole\Lock::lock' => 'Locks: $operation LOCK_EX (or LOCK_SH for a read lock of an RWLOCK), | LOCK_NB to try once; waits at most $timeout seconds (at least 0.001; else no limit). False with $errCode set on failure.',
    'Swoole\Lock::unlock' => 'Unlocks; false with $errCode on failure.',
    'Swoole\Coroutine::defer' => ['Runs $callback when the running coroutine ends (last registered first).', '@param callable $callback'],
    'Swoole\Coroutine::set' => ['Coroutine options: enable_coroutine (callbacks in coroutines) and hook_flags take effect.', '@param array<string, mixed> $options'],
    'Swoole\Coroutine::getOptions' => ['The options that take effect.', '@return array<string, mixed>'],
    'Swoole\Coroutine::exists' => 'Whether coroutine $cid is alive.',
    'Swoole\Coroutine::yield' => 'Suspends the running coroutine until Co::resume() with its id.',
    'Swoole\Coroutine::suspend' => 'Same as yield().',
    'Swoole\Coroutine::resume' => 'Lets coroutine $cid, suspended by yield(), run again (on the loop\'s next round); false with a warning otherwise.',
    'Swoole\Coroutine::cancel' => 'Ends the wait of coroutine $cid (its sleep or pop returns false); false for itself or an unknown id.',
    'Swoole\Coroutine::join' => ['Waits until every coroutine of $cid_array has ended; false on timeout ($timeout seconds, -1: none).', '@param int[] $cid_array'],
    'Swoole\Coroutine::isCanceled' => 'Whether the running coroutine was cancelled.',
    'Swoole\Coroutine::getPcid' => ['The id of the coroutine that created $cid (0: the running one); -1 for none, false outside coroutines.', '@return int|false'],
    'Swoole\Coroutine::getContext' => ['The context object of coroutine $cid (0: the running one), gone with it; null outside coroutines.', '@return Swoole\Coroutine\Context|null'],
    'Swoole\Coroutine::getElapsed' => 'Milliseconds coroutine $cid has lived; -1 when unknown.',
    'Swoole\Coroutine::getBackTrace' => ['The backtrace of coroutine $cid (debug_backtrace() format), or false.', '@return array|false'],
    'Swoole\Coroutine::printBackTrace' => 'Prints the backtrace of coroutine $cid.',
    'Swoole\Coroutine::list' => ['The ids of every live coroutine.', '@return Swoole\Coroutine\Iterator'],
    'Swoole\Coroutine::listCoroutines' => ['Same as list().', '@return Swoole\Coroutine\Iterator'],
    'Swoole\Coroutine::stats' => ['Swoole\'s coroutine counters: coroutine_num, coroutine_peak_num, coroutine_last_cid, event_num, ...', '@return array<string, int>'],
    'Swoole\Coroutine\System' => 'Coroutine system calls (alias Co\System): sleep.',
    'Swoole\Coroutine\System::__construct' => 'Nothing to construct: every method is static.',
    'Swoole\Coroutine\System::sleep' => 'Same as Swoole\Coroutine::sleep().',
    'Swoole\Coroutine\Context' => 'Per-coroutine storage (an ArrayObject), from Co::getContext(); freed when the coroutine ends.',
    'Swoole\Coroutine\Iterator' => 'Coroutine ids, from Co::list().',
    'Swoole\Coroutine\Channel' => 'A bounded queue between coroutines (aliases chan, Co\Channel): pop waits for data, push for room.',
    'Swoole\Coroutine\Channel::$capacity' => ['int', 'How many values fit.'],
    'Swoole\Coroutine\Channel::$errCode' => ['int', 'SWOOLE_CHANNEL_* of the last push/pop: 0 ok, -1 timeout, -2 closed, -3 cancelled.'],
    'Swoole\Coroutine\Channel::__construct' => 'A channel for $size values (at least 1).',
    'Swoole\Coroutine\Channel::push' => ['Adds $data, waiting up to $timeout seconds (-1: forever) for room; false on timeout or close.', '@param mixed $data'],
    'Swoole\Coroutine\Channel::pop' => ['The oldest value, waiting up to $timeout seconds (-1: forever); false on timeout or once closed and empty.', '@return mixed'],
    'Swoole\Coroutine\Channel::isEmpty' => 'Whether no value is queued.',
    'Swoole\Coroutine\Channel::isFull' => 'Whether $capacity values are queued.',
    'Swoole\Coroutine\Channel::length' => 'How many values are queued.',
    'Swoole\Coroutine\Channel::close' => 'Closes the channel and wakes every waiter; false if closed already.',
    'Swoole\Coroutine\Channel::stats' => ['consumer_num, producer_num, queue_num.', '@return array<string, int>'],
    'Swoole\Coroutine\__main' => 'Internal: the function every coroutine\'s Fiber runs. Not for scripts.',
    'Swoole\Error' => 'Thrown where Swoole throws an Error: coroutine APIs called outside a coroutine.',
    'Swoole\Timer' => 'Timers of the process\'s event loop (a server worker, Co\run(), or the end of a plain script).',
    'Swoole\Timer::__construct' => 'Nothing to construct: every method is static.',
    'Swoole\Timer::tick' => ['Calls $callback($timerId, ...$params) every $ms milliseconds; the timer id, or false (warning) below 1 ms.', '@param callable $callback', '@return int|false'],
    'Swoole\Timer::after' => ['Calls $callback(...$params) once after $ms milliseconds; the timer id, or false (warning) below 1 ms.', '@param callable $callback', '@return int|false'],
    'Swoole\Timer::exists' => 'Whether timer $timer_id is active.',
    'Swoole\Timer::info' => ['exec_msec, exec_count, interval, round, removed of a timer; null when unknown.', '@return array<string, int|bool>|null'],
    'Swoole\Timer::stats' => ['initialized, num (active timers), round.', '@return array<string, int|bool>'],
    'Swoole\Timer::list' => ['The ids of the active timers.', '@return Swoole\Timer\Iterator'],
    'Swoole\Timer::clear' => 'Stops a timer; false when it is not active.',
    'Swoole\Timer::clearAll' => 'Stops every timer.',
    'Swoole\Timer\Iterator' => 'Timer ids, from Timer::list().',
    'Swoole\Event' => 'The process\'s event loop: wait(), defer(), cycle(), and PHP streams watched with read/write callbacks.',
    'Swoole\Event::__construct' => 'Nothing to construct: every method is static.',
    'Swoole\Event::add' => ['Watches a stream (or fd) and calls $read_callback($stream) / $write_callback($stream) while it is ready; its fd, or false.', '@param mixed $fd', '@return int|false'],
    'Swoole\Event::del' => ['Stops watching a stream.', '@param mixed $fd'],
    'Swoole\Event::set' => ['Changes the callbacks or events of a watched stream.', '@param mixed $fd'],
    'Swoole\Event::isset' => ['Whether a stream is watched for $events.', '@param mixed $fd'],
    'Swoole\Event::dispatch' => 'Runs one round of the loop without waiting.',
    'Swoole\Event::defer' => ['Runs $callback at the end of the current loop round.', '@param callable $callback'],
    'Swoole\Event::cycle' => ['Calls $callback at the end of every loop round; null removes it.', '@param callable|null $callback'],
    'Swoole\Event::write' => ['Writes $data to a stream.', '@param mixed $fd'],
    'Swoole\Event::wait' => 'Runs the loop until nothing (timer, coroutine, watched stream, deferred call) is left in it.',
    'Swoole\Event::rshutdown' => 'Runs at the end of a script that used the loop: the same as wait().',
    'Swoole\Event::exit' => 'Ends the running loop after the current round.',
    'Swoole\Runtime' => 'Runtime hooks: PHP\'s own blocking calls yield inside coroutines.',
    'Swoole\Runtime::__construct' => 'Nothing to construct: every method is static.',
    'Swoole\Runtime::enableCoroutine' => ['Turns hooks on (SWOOLE_HOOK_* flags, true for all, false for none); SLEEP, TCP and UNIX are implemented.', '@param int|bool $flags'],
    'Swoole\Runtime::getHookFlags' => 'The hook flags in effect.',
    'Swoole\Runtime::setHookFlags' => 'Sets the hook flags.',
    'Swoole\Server::tick' => ['Swoole 4\'s $server->tick(): same as Swoole\Timer::tick().', '@param callable $callback', '@return int|false'],
    'Swoole\Server::after' => ['Swoole 4\'s $server->after(): same as Swoole\Timer::after().', '@param callable $callback', '@return int|false'],
    'Swoole\Server::clearTimer' => 'Swoole 4\'s $server->clearTimer(): same as Swoole\Timer::clear().',

    // functions
    'Swoole\Coroutine\run' => [
        'Runs $func(...$args) as a coroutine and returns once every coroutine has finished; false on an uncaught exception.',
        '@param callable $func',
    ],
    'Co\run' => ['Same as Swoole\Coroutine\run().', '@param callable $func'],
    'go' => [
        'Starts a coroutine running $func(...$args), runs it until it first waits, and returns its id, or false.',
        '@param callable $func',
        '@return int|false',
    ],
    'swoole_coroutine_create' => ['Same as go().', '@param callable $func', '@return int|false'],
    'defer' => ['Same as Swoole\Coroutine::defer().', '@param callable $callback'],
    'swoole_coroutine_defer' => ['Same as Swoole\Coroutine::defer().', '@param callable $callback'],
    'swoole_event_add' => ['Same as Swoole\Event::add().', '@param mixed $fd', '@return int|false'],
    'swoole_event_set' => ['Same as Swoole\Event::set().', '@param mixed $fd'],
    'swoole_event_del' => ['Same as Swoole\Event::del().', '@param mixed $fd'],
    'swoole_event_isset' => ['Same as Swoole\Event::isset().', '@param mixed $fd'],
    'swoole_event_wait' => 'Same as Swoole\Event::wait().',
    'swoole_event_exit' => 'Same as Swoole\Event::exit().',
    'swoole_event_defer' => ['Same as Swoole\Event::defer().', '@param callable $callback'],
    'swoole_event_cycle' => ['Same as Swoole\Event::cycle().', '@param callable|null $callback'],
    'swoole_event_write' => ['Same as Swoole\Event::write().', '@param mixed $fd'],
    'swoole_event_dispatch' => 'Same as Swoole\Event::dispatch().',
    'swoole_timer_tick' => ['Same as Swoole\Timer::tick().', '@param callable $callback', '@return int|false'],
    'swoole_timer_after' => ['Same as Swoole\Timer::after().', '@param callable $callback', '@return int|false'],
    'swoole_timer_exists' => 'Same as Swoole\Timer::exists().',
    'swoole_timer_info' => ['Same as Swoole\Timer::info().', '@return array<string, int|bool>|null'],
    'swoole_timer_list' => ['Same as Swoole\Timer::list().', '@return Swoole\Timer\Iterator'],
    'swoole_timer_stats' => ['Same as Swoole\Timer::stats().', '@return array<string, int|bool>'],
    'swoole_timer_clear' => 'Same as Swoole\Timer::clear().',
    'swoole_timer_clear_all' => 'Same as Swoole\Timer::clearAll().',
];

/** Class aliases: name as reflection lists it (lower case) => [name as written, summary]. */
const ALIASES = [
    'co' => ['Co', 'Short name of Swoole\Coroutine.'],
    'co\http\client' => ['Co\Http\Client', 'Short name of Swoole\Coroutine\Http\Client.'],
    'co\channel' => ['Co\Channel', 'Short name of Swoole\Coroutine\Channel.'],
    'chan' => ['chan', 'Short name of Swoole\Coroutine\Channel.'],
    'co\system' => ['Co\System', 'Short name of Swoole\Coroutine\System.'],
    'co\context' => ['Co\Context', 'Short name of Swoole\Coroutine\Context.'],
];

/** Constants: first matching pattern => summary. */
const CONSTANT_DOCS = [
    '/^SWOOLE_(BASE|PROCESS)$/' => 'Server mode (constructor $mode): workers serve their own connections (BASE) or the master holds them (PROCESS).',
    '/^SWOOLE_LOG_ROTATION_/' => 'log_rotation value: a new log file each month, day, hour or minute.',
    '/^SWOOLE_WORKER_(BUSY|IDLE|EXIT)$/' => 'Worker status, as getWorkerStatus() reports it.',
    '/^SWOOLE_DISPATCH_RESULT_/' => 'What a dispatch_func may return instead of a worker id (defined for compatibility; such values drop the event).',
    '/^SWOOLE_DISPATCH_/' => 'dispatch_mode value (SWOOLE_PROCESS).',
    '/^SWOOLE_SOCK_TCP6?$/' => 'Socket type (constructor $sock_type): IPv4 or IPv6 TCP.',
    '/^SWOOLE_SSL$/' => 'Socket type flag: TLS (wss://, https://), OR-ed into $sock_type.',
    '/^SWOOLE_(MUTEX|RWLOCK|SPINLOCK)$/' => 'Swoole\\Lock type (constructor $type).',
    '/^SWOOLE_LOG_/' => 'Log level, for the log_level setting.',
    '/^SWOOLE_ERROR_/' => 'Swoole error code (as in the client\'s $errCode).',
    '/^SWOOLE_TRACE_/' => 'Swoole trace flag; defined for compatibility (there is no tracing).',
    '/^(SWOOLE_)?WEBSOCKET_STATUS_/' => 'WebSocket connection status, as getClientInfo() reports it in websocket_status.',
    '/^(SWOOLE_)?WEBSOCKET_OPCODE_/' => 'WebSocket frame opcode.',
    '/^SWOOLE_WEBSOCKET_FLAG_/' => 'Frame flag bit, for $flags of push() and pack() and Frame::$flags.',
    '/^(SWOOLE_)?WEBSOCKET_CLOSE_/' => 'WebSocket close code (RFC 6455).',
    '/^SWOOLE_CHANNEL_/' => 'Channel::$errCode value.',
    '/^SWOOLE_CORO_/' => 'Coroutine state or limit; defined for compatibility.',
    '/^SWOOLE_EVENT_(READ|WRITE)$/' => 'Event::add() $events bit.',
    '/^SWOOLE_HOOK_/' => 'Runtime hook flag (Runtime::enableCoroutine(), hook_flags); SLEEP, TCP and UNIX are implemented.',
    '/^SWOOLE_TIMER_M(IN|AX)_/' => 'Timer interval limit.',
    '/^SWOOLE_VERSION$/' => 'The Swoole version whose API this extension follows.',
    '/^SWOOLE_VERSION_ID$/' => 'SWOOLE_VERSION as a number.',
    '/^SWOOLE_RS_VERSION$/' => 'The version of swoole-rs itself.',
    '/^SWOOLE_HAVE_(ZLIB|COMPRESSION)$/' => 'true: websocket_compression (permessage-deflate) is available.',
];

// --- rendering -----------------------------------------------------------------------

final class StubWriter
{
    /** @var array<string, true> descriptions used */
    private array $used = [];
    /** @var string[] problems: undocumented items */
    public array $problems = [];

    public function __construct(private ReflectionExtension $ext)
    {
    }

    public function render(): string
    {
        /** @var array<string, string[]> $blocks namespace => chunks of code, in order of first use */
        $blocks = ['' => []];

        $consts = [];
        foreach ($this->ext->getConstants() as $name => $value) {
            $consts[] = $this->doc($this->constantDoc($name)) . 'const ' . $name . ' = ' . self::literal($value) . ';';
        }
        $blocks[''][] = implode("\n", $consts);

        $aliases = [];
        foreach ($this->ext->getClasses() as $key => $class) {
            if (strcasecmp($key, $class->getName()) === 0) {
                $ns = $class->getNamespaceName();
                $blocks[$ns][] = $this->renderClass($class);
            } else {
                $aliases[] = $this->renderAlias($key, $class);
            }
        }
        foreach ($this->ext->getFunctions() as $fn) {
            $ns = $fn->getNamespaceName();
            $blocks[$ns][] = $this->docFor($fn->getName()) . 'function ' . $fn->getShortName()
                . $this->signature($fn) . ' {}';
        }
        if ($aliases) {
            $blocks[''][] = implode("\n", $aliases);
        }

        $out = "<?php\n"
            . "/**\n"
            . " * Stubs of the swoole_rs extension (swoole-rs " . $this->ext->getVersion() . "), for IDEs and static\n"
            . " * analysers: every class, method, property, function, constant and class alias it\n"
            . " * registers. Never loaded at run time.\n"
            . " *\n"
            . " * Generated by stubs/generate.php from the extension's reflection: do not edit by hand.\n"
            . " */\n";
        foreach ($blocks as $ns => $chunks) {
            $body = self::indent(implode("\n\n", $chunks));
            $out .= "\nnamespace" . ($ns === '' ? '' : " $ns") . " {\n$body\n}\n";
        }
        return $out;
    }

    private function renderAlias(string $key, ReflectionClass $class): string
    {
        [$name, $summary] = ALIASES[strtolower($key)] ?? [self::aliasName($key), null];
        if ($summary === null) {
            $this->problems[] = "class alias $key has no description";
        } else {
            $this->used['alias:' . strtolower($key)] = true;
        }
        return ($summary === null ? '' : "// $summary\n")
            . 'class_alias(\\' . $class->getName() . '::class, ' . self::literal($name) . ');';
    }

    /** A spelling for an alias not in ALIASES: each part capitalised. */
    private static function aliasName(string $key): string
    {
        return implode('\\', array_map('ucfirst', explode('\\', $key)));
    }

    private function renderClass(ReflectionClass $class): string
    {
        $name = $class->getName();
        $parent = $class->getParentClass() ?: null;
        $head = ($class->isFinal() ? 'final ' : '') . ($class->isAbstract() ? 'abstract ' : '')
            . 'class ' . $class->getShortName();
        if ($parent) {
            $head .= ' extends \\' . $parent->getName();
        }
        $ifaces = array_diff($class->getInterfaceNames(), $parent ? $parent->getInterfaceNames() : []);
        if ($ifaces) {
            $head .= ' implements ' . implode(', ', array_map(fn($i) => "\\$i", $ifaces));
        }

        $members = [];
        foreach ($class->getReflectionConstants() as $c) {
            if ($c->getDeclaringClass()->getName() === $name) {
                $members[] = $this->docFor("$name::" . $c->getName()) . 'const ' . $c->getName() . ' = '
                    . self::literal($c->getValue()) . ';';
            }
        }
        foreach ($class->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() !== $name) {
                continue;
            }
            $line = self::propertyLine($p);
            // Redeclared as the parent declares it: nothing to say.
            if ($parent && $parent->hasProperty($p->getName())
                && self::propertyLine($parent->getProperty($p->getName())) === $line) {
                continue;
            }
            $members[] = $this->propertyDoc($class, $p->getName()) . $line;
        }
        // The constructor first, then the rest in the extension's order.
        $methods = $class->getMethods();
        usort($methods, fn($a, $b) => ($b->isConstructor() <=> $a->isConstructor()));
        foreach ($methods as $m) {
            if ($m->getDeclaringClass()->getName() !== $name) {
                continue;
            }
            $line = self::methodLine($m);
            if ($parent && $parent->hasMethod($m->getName())
                && self::methodLine($parent->getMethod($m->getName())) === $line) {
                continue;
            }
            $members[] = $this->docFor("$name::" . $m->getName(), $class) . $line;
        }
        return $this->docFor($name) . $head . "\n{\n" . self::indent(implode("\n\n", $members)) . ($members ? "\n" : '') . '}';
    }

    private static function propertyLine(ReflectionProperty $p): string
    {
        $mods = implode(' ', Reflection::getModifierNames($p->getModifiers()));
        $type = $p->hasType() ? self::type($p->getType()) . ' ' : '';
        $default = '';
        if ($p->hasDefaultValue() && ($p->getDefaultValue() !== null || $p->hasType())) {
            $default = ' = ' . self::literal($p->getDefaultValue());
        }
        return "$mods $type\$" . $p->getName() . "$default;";
    }

    private static function methodLine(ReflectionMethod $m): string
    {
        $mods = implode(' ', Reflection::getModifierNames($m->getModifiers()));
        return "$mods function " . $m->getName() . self::signature($m) . ($m->isAbstract() ? ';' : ' {}');
    }

    private static function signature(ReflectionFunctionAbstract $f): string
    {
        $params = [];
        foreach ($f->getParameters() as $p) {
            $s = $p->hasType() ? self::type($p->getType()) . ' ' : '';
            $s .= ($p->isPassedByReference() ? '&' : '') . ($p->isVariadic() ? '...' : '') . '$' . $p->getName();
            if ($p->isOptional() && !$p->isVariadic()) {
                if ($p->isDefaultValueAvailable()) {
                    $s .= ' = ' . ($p->isDefaultValueConstant()
                        ? '\\' . ltrim((string)$p->getDefaultValueConstantName(), '\\')
                        : self::literal($p->getDefaultValue()));
                } else {
                    $s .= ' = null';
                }
            }
            $params[] = $s;
        }
        $ret = '';
        if ($f->hasReturnType()) {
            $ret = ': ' . self::type($f->getReturnType());
        } elseif ($f->hasTentativeReturnType()) {
            $ret = ': ' . self::type($f->getTentativeReturnType());
        }
        return '(' . implode(', ', $params) . ')' . $ret;
    }

    private static function type(ReflectionType $t): string
    {
        if ($t instanceof ReflectionNamedType) {
            $n = $t->isBuiltin() ? $t->getName() : '\\' . $t->getName();
            return $t->allowsNull() && $n !== 'mixed' && $n !== 'null' ? "?$n" : $n;
        }
        if ($t instanceof ReflectionUnionType) {
            return implode('|', array_map([self::class, 'type'], $t->getTypes()));
        }
        if ($t instanceof ReflectionIntersectionType) {
            return implode('&', array_map([self::class, 'type'], $t->getTypes()));
        }
        return (string)$t;
    }

    private static function literal(mixed $v): string
    {
        return match (true) {
            $v === null => 'null',
            is_bool($v) => $v ? 'true' : 'false',
            is_int($v) => (string)$v,
            is_float($v) => var_export($v, true),
            // Plain single quotes where nothing needs escaping (class names read as written).
            is_string($v) && !preg_match('/\'|\\\\(\\\\|$)/', $v) => "'$v'",
            is_string($v) => var_export($v, true),
            is_array($v) && $v === [] => '[]',
            default => var_export($v, true),
        };
    }

    private function constantDoc(string $name): ?string
    {
        foreach (CONSTANT_DOCS as $re => $summary) {
            if (preg_match($re, $name)) {
                $this->used["const:$re"] = true;
                return $summary;
            }
        }
        $this->problems[] = "constant $name has no description";
        return null;
    }

    private function propertyDoc(ReflectionClass $class, string $prop): string
    {
        // A redeclared property may take its words from the class that first declares it.
        for ($c = $class; $c; $c = $c->getParentClass()) {
            $key = $c->getName() . "::\$$prop";
            if (isset(DOCS[$key])) {
                $this->used[$key] = true;
                [$type, $summary] = DOCS[$key];
                return "/** @var $type $summary */\n";
            }
        }
        $this->problems[] = 'property ' . $class->getName() . "::\$$prop has no description";
        return '';
    }

    /** The doc comment for $key (falling back to the same method of a parent class). */
    private function docFor(string $key, ?ReflectionClass $class = null): string
    {
        $entry = DOCS[$key] ?? null;
        if ($entry === null && $class !== null) {
            $method = substr($key, strrpos($key, ':') + 1);
            for ($c = $class->getParentClass(); $c && $entry === null; $c = $c->getParentClass()) {
                if (isset(DOCS[$c->getName() . "::$method"])) {
                    $key = $c->getName() . "::$method";
                    $entry = DOCS[$key];
                }
            }
        }
        if ($entry === null) {
            $this->problems[] = "$key has no description";
            return '';
        }
        $this->used[$key] = true;
        $entry = (array)$entry;
        return $this->doc(array_shift($entry), $entry);
    }

    private function doc(?string $summary, array $tags = []): string
    {
        if ($summary === null) {
            return '';
        }
        if (!$tags) {
            return "/** $summary */\n";
        }
        $s = "/**\n * $summary\n *\n";
        foreach ($tags as $t) {
            $s .= " * $t\n";
        }
        return $s . " */\n";
    }

    /** Descriptions that matched nothing the extension registers. */
    public function unused(): array
    {
        $all = array_keys(DOCS);
        foreach (array_keys(ALIASES) as $a) {
            $all[] = "alias:$a";
        }
        foreach (array_keys(CONSTANT_DOCS) as $re) {
            $all[] = "const:$re";
        }
        return array_values(array_diff($all, array_keys($this->used)));
    }

    private static function indent(string $code): string
    {
        return preg_replace('/^(?=.)/m', '    ', $code);
    }
}

$writer = new StubWriter(new ReflectionExtension('swoole_rs'));
$stub = $writer->render();
$out = $argv[1] ?? __DIR__ . '/swoole_rs.stub.php';
if ($out === '-') {
    echo $stub;
} elseif (file_put_contents($out, $stub) === false) {
    fwrite(STDERR, "generate.php: cannot write $out\n");
    exit(1);
}
$problems = $writer->problems;
foreach ($writer->unused() as $key) {
    $problems[] = "description of $key matches nothing the extension registers";
}
foreach ($problems as $p) {
    fwrite(STDERR, "generate.php: $p\n");
}
exit($problems ? 2 : 0);
