#!/usr/bin/env node
// Headless Chromium's own WebSocket against an echo server: text and binary messages of
// 0, 125, 126, 65535, 65536 bytes and 4 MiB, plus two empty messages in a row, each
// echo compared byte for byte. Prints the negotiated extensions and one line per check.
//
//   node chromium_interop.js ws://127.0.0.1:PORT/ [timeout seconds]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const url = process.argv[2];
const timeout = Number(process.argv[3] || 60);
const deadline = setTimeout(() => {
  console.error(`chromium_interop: still running after ${timeout}s, giving up`);
  process.exit(1);
}, timeout * 1000);

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'swrs-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  try {
    const page = await context.newPage();
    const lines = await page.evaluate(async (url) => {
      const out = [];
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error('connect failed')); });
      out.push(`extensions: ${ws.extensions || '-'}`);
      const queue = [];
      let waiting = null;
      ws.onmessage = (e) => { if (waiting) { const w = waiting; waiting = null; w(e.data); } else queue.push(e.data); };
      // A close while waiting is reported instead of waiting forever.
      ws.onclose = (e) => { if (waiting) { const w = waiting; waiting = null; w(`closed early: ${e.code}`); } };
      const next = () => queue.length ? Promise.resolve(queue.shift()) : new Promise((ok) => { waiting = ok; });
      const same = (a, b) => {
        if (typeof a === 'string') return a === b;
        const x = new Uint8Array(a), y = new Uint8Array(b);
        return x.length === y.length && x.every((v, i) => v === y[i]);
      };
      for (const size of [0, 125, 126, 65535, 65536, 4 << 20]) {
        const text = 'x'.repeat(size);
        ws.send(text);
        out.push(`text ${size}: ${same(text, await next()) ? 'ok' : 'MISMATCH'}`);
        const bin = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 255).buffer;
        ws.send(bin);
        out.push(`binary ${size}: ${same(bin, await next()) ? 'ok' : 'MISMATCH'}`);
      }
      ws.send('');
      ws.send('');
      const a = await next(), b = await next();
      out.push(`two empty messages: ${a === '' && b === '' ? 'ok' : 'MISMATCH'}`);
      ws.close(1000);
      await new Promise((ok) => { ws.onclose = (e) => { out.push(`closed: ${e.code}`); ok(); }; });
      return out;
    }, url);
    console.log(lines.join('\n'));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
    clearTimeout(deadline);
  }
})().catch((e) => {
  console.error(`chromium_interop: ${e.message}`);
  process.exit(1);
});
