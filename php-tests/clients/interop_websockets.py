#!/usr/bin/env python3
"""Interop check with the `websockets` package against an echo server, with
permessage-deflate off and on.

For each mode: text and binary messages of 0, 125, 126, 65535, 65536 bytes and
4 MiB, each sent and its echo compared; then two empty messages in a row (text,
then binary) before reading either echo; then a normal close. Text is
repetitive (compresses well), binary is random (does not): with deflate the
bytes the server sent must be far fewer than the text it echoed, which proves
that its replies were compressed.

  --url URL       ws://127.0.0.1:PORT/ (required)
  --timeout S     open / per-message timeout (default 30)

Output, one line per check:
  <mode>: open extensions=<Sec-WebSocket-Extensions or ->
  <mode>: text|binary <size>: ok
  <mode>: two empty text|binary in a row: ok
  <mode>: replies compressed: yes|no
  <mode>: closed code=<code>
Any mismatch prints `... MISMATCH ...` and exits 1; a connection failure exits 3.
"""

import argparse
import os
import socket
import sys
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import connect

SIZES = [0, 125, 126, 65535, 65536, 4 * 1024 * 1024]


class CountingSocket(socket.socket):
    """Counts the bytes received, to see whether the server compressed."""

    received = 0

    def recv(self, *args, **kwargs):
        data = super().recv(*args, **kwargs)
        self.received += len(data)
        return data


def text_of(size):
    """Repetitive text of exactly `size` UTF-8 bytes, some of them multi-byte."""
    line = "{\"event\":\"message\",\"text\":\"Grüße, κόσμε\",\"n\":42}\n"
    raw = (line * (size // len(line.encode()) + 1)).encode()[:size]
    text = raw.decode("utf-8", "ignore")  # drops a code point cut at the end
    return text + "x" * (size - len(text.encode()))


def run(mode, url, timeout):
    parts = urlsplit(url)
    sock = CountingSocket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect((parts.hostname, parts.port))
    try:
        ws = connect(
            url,
            sock=sock,
            compression="deflate" if mode == "deflate" else None,
            open_timeout=timeout,
            close_timeout=timeout,
            max_size=8 * 1024 * 1024,
            ping_interval=None,
            proxy=None,
        )
    except (InvalidHandshake, OSError, TimeoutError) as e:
        print("%s: handshake failed: %s: %s" % (mode, type(e).__name__, e), flush=True)
        return 3
    status = 0
    with ws:
        ext = ws.response.headers.get("Sec-WebSocket-Extensions") or "-"
        print("%s: open extensions=%s" % (mode, ext), flush=True)
        text_bytes = 0
        try:
            for size in SIZES:
                for kind, msg in (("text", text_of(size)), ("binary", os.urandom(size))):
                    if kind == "text":
                        assert len(msg.encode()) == size
                        text_bytes += size
                    ws.send(msg)
                    got = ws.recv(timeout=timeout)
                    ok = got == msg
                    print("%s: %s %d: %s" % (mode, kind, size, "ok" if ok else "MISMATCH"), flush=True)
                    status |= not ok
            for kind, empty in (("text", ""), ("binary", b"")):
                ws.send(empty)
                ws.send(empty)
                got = [ws.recv(timeout=timeout), ws.recv(timeout=timeout)]
                ok = got == [empty, empty]
                print("%s: two empty %s in a row: %s" % (mode, kind, "ok" if ok else "MISMATCH %r" % got),
                      flush=True)
                status |= not ok
        except TimeoutError:
            print("%s: timeout" % mode, flush=True)
            return 4
        except ConnectionClosed:
            print("%s: closed early: code=%s reason=%s" % (mode, ws.close_code, ws.close_reason), flush=True)
            return 3
        # Random binary is echoed at full size either way; the text is what shrinks.
        binary_bytes = sum(SIZES)
        compressed = sock.received < binary_bytes + text_bytes // 4
        print("%s: replies compressed: %s" % (mode, "yes" if compressed else "no"), flush=True)
        ws.close()
        print("%s: closed code=%s" % (mode, ws.close_code), flush=True)
    return int(status)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()
    status = 0
    for mode in ("plain", "deflate"):
        status = max(status, run(mode, a.url, a.timeout))
    return status


if __name__ == "__main__":
    sys.exit(main())
