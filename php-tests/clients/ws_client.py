#!/usr/bin/env python3
"""WebSocket test client (the `websockets` package, sync API) for the phpt suite.

Actions run in the order given on the command line; each sends one message and then
receives one:

  --send TEXT         a text message
  --send-binary HEX   a binary message given as hex
  --binary-size N     N random bytes as one binary message
  --recv              receive one message without sending anything

Options:
  --url URL           ws://127.0.0.1:PORT/path (required)
  --expect-echo       each reply must equal the message sent (exit 1 otherwise)
  --compression       offer permessage-deflate (default: no extension offered)
  --header 'N: V'     an extra request header (repeatable)
  --subprotocol NAME  offer a subprotocol (repeatable)
  --close CODE        close with this code at the end (default 1000)
  --reason TEXT       close reason
  --no-close          drop the TCP connection at the end without a close frame
  --timeout S         open and per-receive timeout in seconds (default 10)
  --max-size N        largest message accepted from the server (default 16 MiB)

Output, one line per event:
  open: status=101 extensions=<Sec-WebSocket-Extensions or -> subprotocol=<name or ->
  recv: text <text>
  recv: binary <hex>                  (64 bytes or less)
  recv: binary <N> bytes sha1=<hex>   (longer)
  echo: ok                            (with --expect-echo)
  closed: code=<code> reason=<reason>

Exit status: 0 ok, 1 echo mismatch, 2 usage, 3 handshake failed or connection closed
early, 4 timeout.
"""

import argparse
import contextlib
import hashlib
import os
import sys

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect


class Ordered(argparse.Action):
    """Appends (kind, value) to args.actions so actions keep their command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.actions.append((self.dest, values))


def describe(data):
    if isinstance(data, str):
        return "text " + data
    if len(data) <= 64:
        return "binary " + data.hex()
    return "binary %d bytes sha1=%s" % (len(data), hashlib.sha1(data).hexdigest())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(actions=[])
    p.add_argument("--url", required=True)
    p.add_argument("--send", dest="text", action=Ordered)
    p.add_argument("--send-binary", dest="hex", action=Ordered)
    p.add_argument("--binary-size", dest="size", type=int, action=Ordered)
    p.add_argument("--recv", dest="recv", nargs=0, action=Ordered)
    p.add_argument("--expect-echo", action="store_true")
    p.add_argument("--compression", action="store_true")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--subprotocol", action="append", default=[])
    p.add_argument("--close", type=int, default=1000)
    p.add_argument("--reason", default="")
    p.add_argument("--no-close", action="store_true")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--max-size", type=int, default=16 * 1024 * 1024)
    a = p.parse_args()

    headers = []
    for h in a.header:
        name, sep, value = h.partition(":")
        if not sep:
            p.error("--header needs 'Name: value'")
        headers.append((name.strip(), value.strip()))

    with contextlib.ExitStack() as stack:
        return run(a, stack, headers)


def run(a, stack, headers):
    try:
        # As a context manager: newer websockets versions connect only on entering it.
        ws = stack.enter_context(connect(
            a.url,
            compression="deflate" if a.compression else None,
            additional_headers=headers,
            subprotocols=a.subprotocol or None,
            open_timeout=a.timeout,
            close_timeout=a.timeout,
            max_size=a.max_size,
            ping_interval=None,  # no keepalive pings: tests see only the frames they ask for
            proxy=None,  # never route 127.0.0.1 through a proxy from the environment
        ))
    except InvalidStatus as e:
        print("handshake failed: status=%d" % e.response.status_code, flush=True)
        return 3
    except (InvalidHandshake, OSError, TimeoutError) as e:
        print("handshake failed: %s: %s" % (type(e).__name__, e), flush=True)
        return 3

    ext = ws.response.headers.get("Sec-WebSocket-Extensions") or "-"
    print("open: status=%d extensions=%s subprotocol=%s"
          % (ws.response.status_code, ext, ws.subprotocol or "-"), flush=True)

    status = 0
    try:
        for kind, value in a.actions:
            sent = None
            if kind == "text":
                sent = value
            elif kind == "hex":
                sent = bytes.fromhex(value)
            elif kind == "size":
                sent = os.urandom(value)
            if sent is not None:
                ws.send(sent)
            got = ws.recv(timeout=a.timeout)
            print("recv: " + describe(got), flush=True)
            if a.expect_echo and sent is not None:
                if got == sent:
                    print("echo: ok", flush=True)
                else:
                    print("echo: MISMATCH (sent %s)" % describe(sent), flush=True)
                    status = 1
    except TimeoutError:
        print("timeout", flush=True)
        ws.close_socket()
        return 4
    except ConnectionClosed:
        print("closed: code=%s reason=%s" % (ws.close_code, ws.close_reason), flush=True)
        return 3

    if a.no_close:
        ws.close_socket()
        print("dropped", flush=True)
    else:
        ws.close(a.close, a.reason)
        print("closed: code=%s reason=%s" % (ws.close_code, ws.close_reason), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
