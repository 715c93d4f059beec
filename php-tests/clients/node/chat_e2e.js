#!/usr/bin/env node
// Two headless Chromium pages chat through examples/chat/server.php.
//
//   node chat_e2e.js --url http://127.0.0.1:PORT/ [--screenshot FILE] [--timeout SECONDS]
//
// alice opens the page (answering the nickname prompt), then bob; alice types a message
// and presses Enter, bob must see "alice: <text>"; bob answers, alice must see it. Prints
// what each page shows, one line each, for the phpt to compare; exits 1 on any failure
// (including a JavaScript error or console error on a page). Chromium is Debian's
// /usr/bin/chromium with a fresh profile, removed afterwards.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const opts = { url: null, screenshot: null, timeout: 60 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const val = argv[i + 1];
    if (key === '--url') opts.url = val;
    else if (key === '--screenshot') opts.screenshot = val;
    else if (key === '--timeout') opts.timeout = Number(val);
    else throw new Error(`unknown argument ${key}`);
    i++;
  }
  if (!opts.url) throw new Error('--url is required');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const WAIT = 15000; // one step (a page load, a message arriving), in ms
const problems = [];

// The whole run is bounded: a hung browser must not hang the test.
const deadline = setTimeout(() => {
  console.error(`chat_e2e: still running after ${opts.timeout}s, giving up`);
  process.exit(1);
}, opts.timeout * 1000);

/** Opens the chat as `nick`: answers the prompt, waits until the page says it is connected. */
async function join(context, nick) {
  const page = await context.newPage();
  const prompts = [];
  page.on('dialog', async (dialog) => {
    prompts.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.accept(nick);
  });
  page.on('pageerror', (err) => problems.push(`${nick}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${nick}: console error: ${msg.text()}`);
  });
  const resp = await page.goto(opts.url, { waitUntil: 'load', timeout: WAIT });
  console.log(`${nick}: GET / ${resp.status()} ${resp.headers()['content-type']}`);
  await page.waitForFunction(() => document.body.dataset.state === 'open', null, { timeout: WAIT });
  console.log(`${nick}: prompt "${prompts.join('", "')}"; status "${await page.textContent('#status')}"`);
  return page;
}

/** Waits until `page` lists an entry whose text is exactly `text`. */
async function waitForLine(page, text) {
  await page.waitForFunction(
    (t) => Array.from(document.querySelectorAll('#messages li .line')).some((e) => e.textContent === t),
    text,
    { timeout: WAIT },
  );
}

/** Types `text` into the input and presses Enter; the input must be empty afterwards. */
async function say(page, text) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await page.waitForFunction(() => document.getElementById('text').value === '', null, { timeout: WAIT });
}

/** Every entry of the page's list: "name: text" for messages, "* text" for notices. */
async function listed(page) {
  return page.$$eval('#messages li', (lis) =>
    lis.map((li) => (li.classList.contains('notice') ? '* ' : '') + li.querySelector('.line').textContent),
  );
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'swrs-chromium-'));
  let context = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
      ],
      viewport: { width: 760, height: 520 },
      timeout: 30000,
    });

    const alice = await join(context, 'alice');
    await waitForLine(alice, 'alice joined (2 online)');
    const bob = await join(context, 'bob');
    // bob's join reaching alice means the server has bob as an established connection.
    await waitForLine(alice, 'bob joined (3 online)');

    // Markup and non-ASCII text must arrive as plain text, not as HTML.
    const hello = 'hello from alice <b>&amp;</b> — ünïcode ✓';
    await say(alice, hello);
    await waitForLine(bob, `alice: ${hello}`);
    console.log(`bob sees: alice: ${hello}`);
    const bold = await bob.$$eval('#messages .text b', (els) => els.length);
    console.log(`bob: ${bold} <b> elements in messages`);

    const reply = 'hi alice, bob here';
    await say(bob, reply);
    await waitForLine(alice, `bob: ${reply}`);
    console.log(`alice sees: bob: ${reply}`);
    // Everyone gets every message, the sender included.
    await waitForLine(bob, `bob: ${reply}`);

    for (const [nick, page] of [['alice', alice], ['bob', bob]]) {
      for (const line of await listed(page)) {
        console.log(`${nick} list: ${line}`);
      }
    }
    const mine = await alice.$$eval('#messages li.mine .line', (els) => els.map((e) => e.textContent));
    console.log(`alice highlighted: ${JSON.stringify(mine)}`);

    if (opts.screenshot) {
      fs.mkdirSync(path.dirname(opts.screenshot), { recursive: true });
      await alice.screenshot({ path: opts.screenshot });
      console.log(`screenshot: ${fs.statSync(opts.screenshot).size > 0 ? 'saved' : 'empty'}`);
    }

    // bob leaves: alice is told.
    await bob.close();
    await waitForLine(alice, 'bob left (2 online)');
    console.log('alice sees: bob left (2 online)');
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    throw new Error(problems.join('\n'));
  }
  console.log('ok');
}

main().then(
  () => {
    clearTimeout(deadline);
  },
  (err) => {
    console.error(`chat_e2e: ${err && err.stack ? err.stack : err}`);
    clearTimeout(deadline);
    process.exitCode = 1;
  },
);
