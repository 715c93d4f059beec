"""wss:// client: trusts the given CA file, sends a text and a 1 MiB binary, checks the echoes."""
import os
import ssl
import sys

from websockets.sync.client import connect

url, cafile = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
with connect(url, ssl=ctx, max_size=None) as ws:
    ws.send("hello over tls")
    print("recv:", ws.recv(timeout=5))
    blob = os.urandom(1 << 20)
    ws.send(blob)
    print("binary echo:", "ok" if ws.recv(timeout=10) == blob else "MISMATCH")
print("closed")
