#!/usr/bin/env python3
"""Ping/pong with the `websockets` package (sync API).

  ping_client.py URL

Sends pings with a payload, with an empty payload and with 125 bytes (the largest a
control frame may carry) and waits for each pong (websockets only accepts a pong whose
payload equals the ping's). Then sends an unsolicited pong, then a text message "after
pong" and prints the reply, then closes.

Output, one line per step:
  ping 'hello ping': pong ok     (or: no pong)
  ping '': pong ok
  ping 125 bytes: pong ok
  pong sent
  recv: <reply>
  closed: code=<code>
Exit status 0 if every pong came, 1 otherwise, 3 on connection errors.
"""

import contextlib
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def main():
    with contextlib.ExitStack() as stack:
        return run(stack)


def run(stack):
    url = sys.argv[1]
    try:
        # As a context manager: newer websockets versions connect only on entering it.
        ws = stack.enter_context(connect(url, open_timeout=10, close_timeout=10,
                                         ping_interval=None, proxy=None))
    except Exception as e:  # noqa: BLE001
        print("connect failed: %s: %s" % (type(e).__name__, e), flush=True)
        return 3
    status = 0
    try:
        for label, payload in (("'hello ping'", b"hello ping"), ("''", b""),
                               ("125 bytes", bytes(range(125)))):
            waiter = ws.ping(payload)
            if waiter.wait(10):
                print("ping %s: pong ok" % label, flush=True)
            else:
                print("ping %s: no pong" % label, flush=True)
                status = 1
        ws.pong(b"unsolicited")
        print("pong sent", flush=True)
        ws.send("after pong")
        print("recv: %s" % ws.recv(timeout=10), flush=True)
    except (ConnectionClosed, TimeoutError) as e:
        print("error: %s: %s" % (type(e).__name__, e), flush=True)
        return 3
    ws.close()
    print("closed: code=%s" % ws.close_code, flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
