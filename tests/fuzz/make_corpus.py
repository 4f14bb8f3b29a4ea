#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ from frames and requests of the protocol
(/work/shared/PROTOCOL.md and docs/protocol.md). Run it again after changing a seed; the
files are committed, so CI does not need Python. Reproducers found by fuzzing are added
by hand as corpus/<harness>/crash-<what> and are kept by this script."""

import os
import pathlib
import struct

here = pathlib.Path(__file__).resolve().parent / "corpus"

client_frames = {
    "identity": '{"type":"identity","user":"fishing_beast_5000"}',
    "message": '{"type":"message","channel":"fishing","text":"morning is best","nonce":"k1"}',
    "message_unicode": '{"type":"message","text":"caf\\u00e9 \\ud83d\\udc1f \u00fc","nonce":"\u00e9"}',
    "join_since": '{"type":"join","channel":"random","since":1000}',
    "history": '{"type":"history","channel":"random","before":1001,"limit":50}',
    "history_after": '{"type":"history","after":7,"limit":200}',
    "leave": '{"type":"leave","channel":"random"}',
    "channels": '{"type":"channels"}',
    "typing": '{"type":"typing","channel":"fishing"}',
    "heartbeat": '{"type":"heartbeat"}',
    "edit": '{"type":"edit","id":1042,"text":"evening is best"}',
    "delete": '{"type":"delete","id":1042,"nonce":"d1"}',
    "kick": '{"type":"kick","channel":"fishing","user":"ann"}',
    "ban": '{"type":"ban","user":"ann","minutes":60}',
    "bad_type": '{"type":"nope","nonce":"x"}',
    "deep": '{"type":"heartbeat","x":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}',
}

server_frames = {
    "connection": '{"type":"connection","id":"fishing","session":"c7f3a1","server":"parley/1.0","heartbeat_ms":15000}',
    "connection_user": '{"type":"connection","id":"general","session":"s","server":"parley/1.0","heartbeat_ms":15000,"user":"ann","role":"admin"}',
    "heartbeat": '{"type":"heartbeat","authenticated":true}',
    "identity_ok": '{"type":"identity","success":true,"user":"fishing_beast_5000"}',
    "identity_taken": '{"type":"identity","success":false,"reason":"taken"}',
    "message": '{"type":"message","id":1042,"channel":"fishing","user":"fishing_beast_5000","text":"morning is best","timestamp":1652997756123,"nonce":"k1"}',
    "joined": '{"type":"joined","channel":"random","users":["ann","bob"]}',
    "history": '{"type":"history","channel":"random","messages":[{"type":"message","id":1,"channel":"random","user":"ann","text":"hi","timestamp":1,"edited_at":2}],"has_more":false}',
    "channels": '{"type":"channels","channels":[{"name":"general","online":12},{"name":"fishing","online":3}]}',
    "presence": '{"type":"presence","channel":"fishing","user":"ann","state":"joined","online":13}',
    "typing": '{"type":"typing","channel":"fishing","user":"ann"}',
    "edited": '{"type":"edited","id":1042,"channel":"fishing","text":"evening is best","edited_at":1652997799000}',
    "deleted": '{"type":"deleted","id":1042,"channel":"fishing"}',
    "left": '{"type":"left","channel":"random","reason":"kicked"}',
    "error": '{"type":"error","code":"rate_limited","message":"slow down","ref":"k1"}',
}


def masked_frame(opcode, payload, fin=True, key=b"\x37\xfa\x21\x3d"):
    """A client frame: masked, as RFC 6455 requires of clients."""
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        header = bytes([first, 0x80 | n])
    elif n < 65536:
        header = bytes([first, 0x80 | 126]) + struct.pack(">H", n)
    else:
        header = bytes([first, 0x80 | 127]) + struct.pack(">Q", n)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return header + key + body


def parser_input(limit_index, pieces, stream):
    """frame_parser_fuzzer's layout: limit, piece count, piece lengths, stream."""
    return bytes([limit_index, len(pieces)]) + bytes(pieces) + stream


def frame_parser_seeds():
    text = masked_frame(0x1, client_frames["message"].encode())
    hello = "h\u00e9llo \U0001f41f".encode()
    return {
        "text_whole": parser_input(3, [], text),
        "text_split": parser_input(3, [1, 2, 5, 0, 3], text),
        "fragmented_with_ping": parser_input(3, [7], masked_frame(0x1, hello[:3], fin=False)
                                             + masked_frame(0x9, b"are you there")
                                             + masked_frame(0x0, hello[3:])),
        "binary_pong": parser_input(2, [4, 4], masked_frame(0x2, bytes(range(40))) + masked_frame(0xA, b"")),
        "close_reason": parser_input(3, [2], masked_frame(0x8, struct.pack(">H", 1000) + b"bye")),
        "long_126": parser_input(3, [9, 200], masked_frame(0x1, b"x" * 300)),
        "too_big": parser_input(1, [3], masked_frame(0x1, b"seventeen bytes!!")),
        "unmasked": parser_input(3, [], bytes([0x81, 0x02]) + b"hi"),
        "bad_utf8": parser_input(3, [1], masked_frame(0x1, b"\xc3\x28")),
    }


def request(target, extra=b"", host=b"localhost:8080", version=b"13", key=b"dGhlIHNhbXBsZSBub25jZQ=="):
    return (b"GET " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: " + version + b"\r\n"
            + extra + b"\r\n")


def handshake_seeds():
    # The first byte is the harness's context: bit 0 TLS, bit 1 an allowed-origins list.
    return {
        "plain": b"\x00" + request(b"/"),
        "channel_since_token": b"\x00" + request(b"/fishing?since=1000&token=abc.def"),
        "origin_own_tls": b"\x01" + request(b"/general", b"Origin: https://localhost:8080\r\n"),
        "origin_listed": b"\x02" + request(b"/random", b"Origin: https://chat.example.org\r\n"),
        "origin_foreign": b"\x00" + request(b"/", b"Origin: https://evil.example\r\n"),
        "duplicate_key": b"\x00" + request(b"/", b"Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"),
        "version_12": b"\x00" + request(b"/", version=b"12"),
        "http10": b"\x00" + request(b"/").replace(b"HTTP/1.1", b"HTTP/1.0"),
        "chunked_body": b"\x00" + request(b"/api/login", b"Transfer-Encoding: chunked\r\nAccept-Encoding: gzip;q=0.5, *\r\n"
                                           b"If-None-Match: W/\"abc\", \"def\"\r\n") + b"5\r\nhello\r\n0\r\n\r\n",
    }


def url_seeds():
    return {
        "root": b"/",
        "channel": b"/fishing",
        "since_token": b"/fishing?since=1000&token=abc.def",
        "since_bad": b"/random?since=-0&since=1",
        "asset": b"/assets/a%20b.png?v=2#x",
        "traversal": b"/assets/..%2f..%2fetc/passwd",
        "dot_encoded": b"/%2e%2e/secret",
        "double_encoded": b"/a%252e.js",
        "backslash": b"/a%5c..%5cb",
        "asterisk": b"*",
        "absolute": b"http://host/a",
    }


def static_seeds():
    return {
        "index": b"/index.html",
        "gz": b"/app.js",
        "space": b"/assets/a%20b.png",
        "deep": b"/sub/dir/deep.txt",
        "dotfile": b"/.env",
        "link_out": b"/link.txt",
        "absolute_link": b"/absolute-link.txt",
        "link_dir": b"/linkdir/secret.js",
        "alias": b"/alias.js",
        "traversal": b"/sub/../../outside.txt",
        "upper": b"/UPPER.JS",
    }


def write(harness, seeds):
    folder = here / harness
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if not old.name.startswith("crash-"):
            old.unlink()
    for name, data in seeds.items():
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


def main():
    write("client_frame", client_frames)
    write("server_message", server_frames)
    write("frame_parser", frame_parser_seeds())
    write("handshake", handshake_seeds())
    write("url", url_seeds())
    write("static_files", static_seeds())


if __name__ == "__main__":
    main()
