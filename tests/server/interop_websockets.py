#!/usr/bin/python3
"""Interop: Python's `websockets` (Debian's python3-websockets, an implementation nobody
here wrote) checks the server's handshake and framing rules from outside:

- a handshake with a repeated Sec-WebSocket-Key is refused with 400 (RFC 6455 4.2.1);
- UTF-8 is validated as it arrives: a text message whose first fragment already holds an
  impossible byte is failed with 1007 before its last fragment is sent;
- a code point split across two fragments is fine;
- a ping is answered with a pong carrying its payload;
- twenty malformed frames sent in one burst are all answered, the 21st closes with 1008.

Usage: interop_websockets.py <parley-server binary>
Exits 77 (ctest: SKIP) only when the websockets module is missing. Every wait is bounded;
the server is stopped on every exit path.
"""
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import websockets
    import websockets.exceptions
except ImportError:
    print("SKIP: python3-websockets is not installed (scripts/debian-packages.txt lists it)")
    sys.exit(77)

TEXT, CONTINUATION = 0x1, 0x0


def start_server(binary, work):
    log = open(os.path.join(work, "server.log"), "w+")
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", "0", "--data", os.path.join(work, "data"),
         "--web-root", os.path.join(work, "no-web"), "--threads", "2"],
        stderr=log, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log.seek(0)
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
        if found:
            return proc, int(found.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    raise SystemExit("FAIL: the server did not start:\n" + log.read())


async def frames_until_close(ws, timeout=3.0):
    """Every text frame until the server closes (bounded by `timeout`)."""
    out = []

    async def read_all():
        try:
            async for text in ws:
                out.append(json.loads(text))
        except websockets.exceptions.ConnectionClosed:
            pass

    await asyncio.wait_for(read_all(), timeout)
    return out


async def welcome(ws):
    """Reads connection, joined and history."""
    seen = []
    while "history" not in seen:
        seen.append(json.loads(await asyncio.wait_for(ws.recv(), 3))["type"])
    assert seen[0] == "connection", seen


async def repeated_key_is_refused(url):
    try:
        async with websockets.connect(url, extra_headers=[("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")],
                                      open_timeout=3):
            pass
    except websockets.exceptions.InvalidStatusCode as e:
        assert e.status_code == 400, e.status_code
        return
    raise AssertionError("a repeated Sec-WebSocket-Key was upgraded")


async def invalid_utf8_fails_before_the_last_fragment(url):
    async with websockets.connect(url, open_timeout=3) as ws:
        await welcome(ws)
        await ws.write_frame(False, TEXT, b'{"type":"message","text":"')
        await ws.write_frame(False, CONTINUATION, b"ok \xc0\xaf")  # an overlong '/': never valid
        await asyncio.wait_for(ws.wait_closed(), 3)
        assert ws.close_code == 1007, ws.close_code


async def code_point_split_across_fragments(url):
    async with websockets.connect(url, open_timeout=3) as ws:
        await welcome(ws)
        await ws.send(json.dumps({"type": "identity", "user": "py_user"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 3))["success"] is True
        body = '{"type":"message","text":"caf\u00e9","nonce":"p1"}'.encode()
        cut = body.index(b"\xc3") + 1  # between the two bytes of é
        await ws.write_frame(False, TEXT, body[:cut])
        await ws.write_frame(True, CONTINUATION, body[cut:])
        while True:
            m = json.loads(await asyncio.wait_for(ws.recv(), 3))
            if m.get("nonce") == "p1":
                assert m["type"] == "message" and m["text"] == "caf\u00e9", m
                break
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 3)


async def burst_of_malformed_frames(url):
    async with websockets.connect(url, open_timeout=3) as ws:
        await welcome(ws)
        for _ in range(21):
            await ws.write_frame(True, TEXT, b"{oops")
        frames = await frames_until_close(ws)
        errors = [f for f in frames if f.get("type") == "error"]
        assert len(errors) == 20, len(errors)
        assert all(e["code"] == "invalid_json" for e in errors)
        assert ws.close_code == 1008, ws.close_code


async def main(port):
    url = f"ws://127.0.0.1:{port}/general"
    for check in (repeated_key_is_refused, invalid_utf8_fails_before_the_last_fragment,
                  code_point_split_across_fragments, burst_of_malformed_frames):
        await asyncio.wait_for(check(url), 10)
        print(f"ok: {check.__name__.replace('_', ' ')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: interop_websockets.py <parley-server>")
    work = tempfile.mkdtemp(prefix="parley-pyws.")
    server, port = start_server(sys.argv[1], work)
    try:
        asyncio.run(main(port))
        print("PASS: websockets " + websockets.__version__ + " found the handshake and framing as RFC 6455 says")
    except (AssertionError, asyncio.TimeoutError, OSError, websockets.exceptions.WebSocketException) as e:
        print(f"FAIL: {e!r}")
        sys.exit(1)
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
