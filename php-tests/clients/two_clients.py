#!/usr/bin/env python3
"""Two WebSocket clients (the `websockets` package, sync API) connected at the same time.

  two_clients.py URL COUNT

Client A connects, then client B (A's handshake is complete before B's starts). Then
they send COUNT messages each, alternating A, B, A, B... ("a1", "b1", "a2", ...), before
either reads anything; then each reads its COUNT replies. The server is expected to
answer "<fd>:<message>". Then A closes, then B.

Output:
  A open / B open
  A: COUNT replies from fd N, in order        (or A: BAD ... with what came)
  B: COUNT replies from fd M, in order
  A closed: code=... / B closed: code=...
Exit status 0 if both got their own replies in order, 1 otherwise, 3 on connection errors.
"""

import contextlib
import re
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def main():
    with contextlib.ExitStack() as stack:
        return run(stack)


def run(stack):
    url, count = sys.argv[1], int(sys.argv[2])
    opts = dict(open_timeout=10, close_timeout=10, ping_interval=None, proxy=None)
    try:
        # As context managers: newer websockets versions connect only on entering them.
        a = stack.enter_context(connect(url, **opts))
        print("A open", flush=True)
        b = stack.enter_context(connect(url, **opts))
        print("B open", flush=True)
    except Exception as e:  # noqa: BLE001 - report anything that stops the handshake
        print("connect failed: %s: %s" % (type(e).__name__, e), flush=True)
        return 3

    status = 0
    try:
        for i in range(1, count + 1):
            a.send("a%d" % i)
            b.send("b%d" % i)
        for name, ws in (("A", a), ("B", b)):
            replies = [ws.recv(timeout=10) for _ in range(count)]
            m = re.match(r"^(\d+):", replies[0])
            fd = m.group(1) if m else "?"
            want = ["%s:%s%d" % (fd, name.lower(), i) for i in range(1, count + 1)]
            if replies == want:
                print("%s: %d replies from fd %s, in order" % (name, count, fd), flush=True)
            else:
                print("%s: BAD replies %r" % (name, replies), flush=True)
                status = 1
    except (ConnectionClosed, TimeoutError) as e:
        print("error: %s: %s" % (type(e).__name__, e), flush=True)
        return 3

    for name, ws in (("A", a), ("B", b)):
        ws.close()
        print("%s closed: code=%s" % (name, ws.close_code), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
