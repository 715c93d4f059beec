#!/usr/bin/env python3
"""Several WebSocket clients (the `websockets` package) sending continuously until the
server closes the connection; for server shutdown tests.

  flood_clients.py URL N

Connects N clients one after the other (each handshake complete before the next
starts), then runs them all at once: each sends "<i>-<k>" and waits for the echo, over
and over. Prints "running" once every client has had 5 echoes, and keeps going until the
server ends the connection. Then prints one line per client, in client order:

  client <i>: close code=<code of the server's close frame, or none> echoes-ok=<yes|no>

Exit status 0 when every client got a close frame; 1 otherwise; 3 on connection errors;
4 if the server never closed within 20 s.
"""

import contextlib
import sys
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def main():
    with contextlib.ExitStack() as stack:
        return run_all(stack)


def run_all(stack):
    url, n = sys.argv[1], int(sys.argv[2])
    clients = []
    try:
        for _ in range(n):
            # As context managers: newer websockets versions connect only on entering them.
            clients.append(stack.enter_context(connect(url, open_timeout=10, close_timeout=5,
                                                       ping_interval=None, proxy=None)))
    except Exception as e:  # noqa: BLE001
        print("connect failed: %s: %s" % (type(e).__name__, e), flush=True)
        return 3
    print("connected %d" % n, flush=True)

    warmed = threading.Semaphore(0)
    results = [None] * n

    def run(i, ws):
        k = 0
        ok = True
        try:
            while True:
                k += 1
                msg = "%d-%d" % (i, k)
                ws.send(msg)
                if ws.recv(timeout=20) != msg:
                    ok = False
                if k == 5:
                    warmed.release()
        except ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd is not None else "none"
            results[i] = (code, ok)
        except TimeoutError:
            results[i] = ("timeout", ok)
        if k < 5:
            warmed.release()

    threads = [threading.Thread(target=run, args=(i, ws), daemon=True)
               for i, ws in enumerate(clients)]
    for t in threads:
        t.start()
    for _ in range(n):
        warmed.acquire()
    print("running", flush=True)
    for t in threads:
        t.join(25)

    status = 0
    for i, r in enumerate(results):
        if r is None:
            print("client %d: still open" % i, flush=True)
            status = 4
            continue
        code, ok = r
        print("client %d: close code=%s echoes-ok=%s" % (i, code, "yes" if ok else "no"), flush=True)
        if code == "timeout":
            status = 4
        elif code == "none" and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
