#!/usr/bin/env node
// Interop check with Node's `ws` package (php-tests/clients/node/node_modules) against an
// echo server, with permessage-deflate off and on; the same checks as
// interop_websockets.py.
//
//   node interop_ws.js --url ws://127.0.0.1:PORT/ [--timeout SECONDS]
//
// For each mode: text and binary messages of 0, 125, 126, 65535, 65536 bytes and 4 MiB,
// each sent and its echo compared; two empty messages in a row (text, then binary) before
// reading either echo; a normal close. With deflate every message is compressed
// (threshold 0), empty ones included. Text is repetitive, binary random: with deflate the
// bytes the server sent must be far fewer than the text it echoed, which proves that its
// replies were compressed.
//
// Output, one line per check:
//   <mode>: open extensions=<Sec-WebSocket-Extensions or ->
//   <mode>: text|binary <size>: ok
//   <mode>: two empty text|binary in a row: ok
//   <mode>: replies compressed: yes|no
//   <mode>: closed code=<code>
// Exit status: 0 ok, 1 mismatch, 3 connection failed or closed early, 4 timeout.
'use strict';

const crypto = require('crypto');
const path = require('path');
const WebSocket = require(path.join(__dirname, 'node', 'node_modules', 'ws'));

const SIZES = [0, 125, 126, 65535, 65536, 4 * 1024 * 1024];

function parseArgs(argv) {
  const opts = { url: null, timeout: 30 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--url') opts.url = argv[++i];
    else if (argv[i] === '--timeout') opts.timeout = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!opts.url) throw new Error('--url is required');
  return opts;
}

// Repetitive text of exactly `size` UTF-8 bytes, some of them multi-byte.
function textOf(size) {
  const line = '{"event":"message","text":"Grüße, κόσμε","n":42}\n';
  let s = line.repeat(Math.ceil(size / Buffer.byteLength(line)) + 1);
  // Cut on characters until the byte length fits, then pad with ASCII.
  let bytes = Buffer.from(s).subarray(0, size).toString('utf8');
  while (Buffer.byteLength(bytes) > size || bytes.endsWith('\uFFFD')) bytes = bytes.slice(0, -1);
  return bytes + 'x'.repeat(size - Buffer.byteLength(bytes));
}

class Failure extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// Messages and the close event as a queue the checks await one at a time.
function inbox(ws, timeoutMs) {
  const queue = [];
  const waiters = [];
  let closed = null;
  const push = (item) => (waiters.length ? waiters.shift()(item) : queue.push(item));
  ws.on('message', (data, isBinary) => push({ data, isBinary }));
  ws.on('close', (code) => {
    closed = code;
    while (waiters.length) waiters.shift()({ closed: code });
  });
  return {
    next() {
      if (queue.length) return Promise.resolve(queue.shift());
      if (closed !== null) return Promise.resolve({ closed });
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Failure('timeout', 4)), timeoutMs);
        waiters.push((item) => {
          clearTimeout(t);
          resolve(item);
        });
      });
    },
  };
}

async function run(mode, opts) {
  const timeoutMs = opts.timeout * 1000;
  const ws = new WebSocket(opts.url, {
    perMessageDeflate: mode === 'deflate' ? { threshold: 0 } : false,
    maxPayload: 8 * 1024 * 1024,
    handshakeTimeout: timeoutMs,
  });
  let socket = null;
  let extensions = '-';
  ws.on('upgrade', (res) => {
    socket = res.socket;
    extensions = res.headers['sec-websocket-extensions'] || '-';
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', (e) => reject(new Failure(`handshake failed: ${e.message}`, 3)));
  });
  ws.on('error', () => {}); // reported through the close event
  const box = inbox(ws, timeoutMs);
  console.log(`${mode}: open extensions=${extensions}`);

  const receive = async () => {
    const m = await box.next();
    if (m.closed !== undefined) throw new Failure(`closed early: code=${m.closed}`, 3);
    return m;
  };
  const same = (m, sent) =>
    typeof sent === 'string'
      ? !m.isBinary && m.data.toString('utf8') === sent
      : m.isBinary && Buffer.compare(m.data, sent) === 0;

  let status = 0;
  let textBytes = 0;
  for (const size of SIZES) {
    for (const [kind, msg] of [['text', textOf(size)], ['binary', crypto.randomBytes(size)]]) {
      if (kind === 'text') {
        if (Buffer.byteLength(msg) !== size) throw new Error(`text of ${size} bytes is wrong`);
        textBytes += size;
      }
      ws.send(msg, { binary: kind === 'binary' });
      const ok = same(await receive(), msg);
      console.log(`${mode}: ${kind} ${size}: ${ok ? 'ok' : 'MISMATCH'}`);
      if (!ok) status = 1;
    }
  }
  for (const [kind, empty] of [['text', ''], ['binary', Buffer.alloc(0)]]) {
    ws.send(empty, { binary: kind === 'binary' });
    ws.send(empty, { binary: kind === 'binary' });
    const ok = same(await receive(), empty) && same(await receive(), empty);
    console.log(`${mode}: two empty ${kind} in a row: ${ok ? 'ok' : 'MISMATCH'}`);
    if (!ok) status = 1;
  }
  // Random binary is echoed at full size either way; the text is what shrinks.
  const binaryBytes = SIZES.reduce((a, b) => a + b, 0);
  const compressed = socket.bytesRead < binaryBytes + textBytes / 4;
  console.log(`${mode}: replies compressed: ${compressed ? 'yes' : 'no'}`);

  ws.close(1000);
  const end = await box.next();
  console.log(`${mode}: closed code=${end.closed}`);
  return status;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let status = 0;
  for (const mode of ['plain', 'deflate']) {
    try {
      status = Math.max(status, await run(mode, opts));
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      console.log(`${mode}: ${e.message}`);
      return e.code;
    }
  }
  return status;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e && e.stack ? e.stack : String(e));
    process.exit(2);
  },
);
