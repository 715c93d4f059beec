#!/usr/bin/env python3
"""Soak client: many connections exchanging messages with a WebSocket echo server, with
connects and disconnects throughout (the `websockets` package, asyncio API).

  soak.py URL --messages M [--connections 100] [--warmup W] [--pid PID] [--seed S]

Each of the connections sends a message (1 to 4096 bytes; binary, or text with multi-byte
characters), waits for the echo and checks it, over and over. After 20 to 200 messages it
leaves, with a close handshake (1000) nine times in ten and by dropping the TCP
connection without one otherwise, and connects again; until M messages have been echoed
in all. With --pid, the server's VmRSS (/proc/PID/status) is read when W messages have
been echoed (after warm-up) and when the last one is, both times with the connections
open.

Prints one line:
  messages=<echoed> connects=<n> closes=<with handshake> drops=<without> errors=<n> rss_warm_kib=<n|-> rss_end_kib=<n|-> seconds=<s>
then one line per error (at most 20: the run stops early after that many):
  error: <what>
Exit status: 0 without errors, 1 otherwise, 2 on bad usage.
"""

import argparse
import asyncio
import random
import sys
import time

from websockets.asyncio.client import connect

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 é€😀"
MAX_ERRORS = 20


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


class Soak:
    def __init__(self, args):
        self.args = args
        self.done = 0
        self.connects = 0
        self.closes = 0
        self.drops = 0
        self.errors = []
        self.rss_warm = None
        self.rss_end = None

    def finished(self):
        return self.done >= self.args.messages or len(self.errors) >= MAX_ERRORS

    def count_echo(self):
        self.done += 1
        if self.args.pid:
            if self.rss_warm is None and self.done >= self.args.warmup:
                self.rss_warm = rss_kib(self.args.pid)
            if self.rss_end is None and self.done >= self.args.messages:
                self.rss_end = rss_kib(self.args.pid)

    async def worker(self, i):
        rnd = random.Random(self.args.seed * 1000 + i)
        while not self.finished():
            try:
                await self.session(rnd)
            except Exception as e:  # noqa: BLE001
                self.errors.append("connection %d: %s: %s" % (i, type(e).__name__, e))

    async def session(self, rnd):
        ws = await connect(self.args.url, open_timeout=10, close_timeout=5, ping_interval=None,
                           compression=None, max_size=None, proxy=None)
        self.connects += 1
        try:
            for _ in range(rnd.randint(20, 200)):
                if self.finished():
                    break
                size = rnd.randint(1, 4096)
                if rnd.random() < 0.5:
                    msg = rnd.randbytes(size)
                else:
                    msg = "".join(rnd.choices(ALPHABET, k=size))
                await ws.send(msg)
                got = await asyncio.wait_for(ws.recv(), 10)
                if got != msg:
                    self.errors.append("echo mismatch: sent %d %s, got %d %s" % (
                        len(msg), type(msg).__name__, len(got), type(got).__name__))
                    return
                self.count_echo()
        finally:
            if rnd.random() < 0.9:
                await ws.close(1000)
                if ws.close_code != 1000:
                    self.errors.append("server answered close 1000 with %r" % ws.close_code)
                self.closes += 1
            else:
                ws.transport.abort()
                self.drops += 1

    async def run(self):
        t0 = time.monotonic()
        await asyncio.gather(*(self.worker(i) for i in range(self.args.connections)))
        return time.monotonic() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--messages", type=int, required=True)
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--warmup", type=int, default=None)
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.warmup is None:
        args.warmup = max(1, args.messages // 5)
    soak = Soak(args)
    seconds = asyncio.run(soak.run())
    fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
    print("messages=%d connects=%d closes=%d drops=%d errors=%d rss_warm_kib=%s rss_end_kib=%s seconds=%.1f" % (
        soak.done, soak.connects, soak.closes, soak.drops, len(soak.errors),
        fmt(soak.rss_warm), fmt(soak.rss_end), seconds))
    for e in soak.errors:
        print("error: " + e)
    return 1 if soak.errors else 0


if __name__ == "__main__":
    sys.exit(main())
