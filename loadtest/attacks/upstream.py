#!/usr/bin/env python3
"""A tiny HTTP/1.1 upstream for the attack scenarios (stdlib asyncio only).

    upstream.py --port 31101 [--name A] [--record FILE]

Keep-alive, one request at a time per connection. Chosen by the last segment of the path
(query ignored), so any prefix works (/big, /x/big, ...):

    .../big            200, a 4 MiB body (Content-Length), written in 64 KiB pieces with back-pressure
    .../reject         413 + Connection: close at once, without reading the request body, then close():
                       the unread body in the socket makes the kernel send a RST (what many servers do)
    .../reject-linger  413 + Connection: close at once, then shutdown(SHUT_WR) and read and discard the
                       body until EOF (at most 30 s) before closing: a graceful early answer
    anything else      the request body (Content-Length or chunked) is read and dropped, then
                       200 with a small body "ok <name>\\n"

Every response has X-Upstream: <name>. With --record, each request head is appended to FILE as one
JSON line: name, method, target, version, host (list of Host values), xfh (X-Forwarded-Host values),
probe (X-Probe-Id), headers. Bytes are decoded as latin-1 so any target can be stored.
"""
import argparse
import asyncio
import json
import socket
import sys

BIG = 4 * 1024 * 1024
PIECE = 64 * 1024
MAX_HEAD = 64 * 1024


class Upstream:
    def __init__(self, name, record):
        self.name = name
        self.record = open(record, "a", encoding="utf-8") if record else None
        self.piece = b"x" * PIECE

    def log(self, method, target, version, headers):
        if self.record is None:
            return
        def values(n):
            return [v for k, v in headers if k.lower() == n]
        entry = {
            "name": self.name, "method": method, "target": target, "version": version,
            "host": values("host"), "xfh": values("x-forwarded-host"),
            "probe": (values("x-probe-id") or [None])[0], "headers": headers,
        }
        self.record.write(json.dumps(entry) + "\n")
        self.record.flush()

    def head(self, status, reason, length, close=False):
        h = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {length}\r\nX-Upstream: {self.name}\r\n"
        if close:
            h += "Connection: close\r\n"
        return (h + "\r\n").encode()

    async def handle(self, reader, writer):
        try:
            while await self.one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    async def one(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD:
            return False
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) != 3:
            return False
        method, target, version = parts
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append([k, v.strip(" \t")])
        self.log(method, target, version, headers)
        hv = {k.lower(): v for k, v in headers}
        close = "close" in hv.get("connection", "").lower() or version == "HTTP/1.0"
        last = target.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]

        if last == "reject":
            writer.write(self.head(413, "Payload Too Large", 0, close=True))
            await writer.drain()
            return False                      # close() with the body unread -> RST
        if last == "reject-linger":
            writer.write(self.head(413, "Payload Too Large", 0, close=True))
            await writer.drain()
            sock = writer.get_extra_info("socket")
            try:
                sock.shutdown(socket.SHUT_WR)
                async with asyncio.timeout(30):
                    while await reader.read(PIECE):
                        pass
            except (OSError, TimeoutError):
                pass
            return False

        await self.drop_body(reader, hv)
        if last == "big":
            writer.write(self.head(200, "OK", BIG, close))
            sent = 0
            while sent < BIG:
                writer.write(self.piece)
                sent += PIECE
                await writer.drain()
        else:
            body = f"ok {self.name}\n".encode()
            writer.write(self.head(200, "OK", len(body), close) + body)
            await writer.drain()
        return not close

    @staticmethod
    async def drop_body(reader, hv):
        if "chunked" in hv.get("transfer-encoding", "").lower():
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    return
                await reader.readexactly(size + 2)
        n = int(hv.get("content-length", "0") or "0")
        while n > 0:
            got = await reader.read(min(n, PIECE))
            if not got:
                raise ConnectionError("body cut")
            n -= len(got)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--name", default="up")
    ap.add_argument("--record")
    a = ap.parse_args()
    up = Upstream(a.name, a.record)
    server = await asyncio.start_server(up.handle, a.host, a.port, backlog=4096, limit=MAX_HEAD + 4)
    print(f"upstream {a.name} listening on {a.host}:{a.port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
