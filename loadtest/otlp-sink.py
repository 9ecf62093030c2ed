#!/usr/bin/env python3
"""An OTLP/HTTP trace sink for compare.sh's fastgate_trace peer.

    otlp-sink.py PORT_FILE

Listens on 127.0.0.1 on a free port (written to PORT_FILE once it listens), answers every POST with 200 and an
empty ExportTraceServiceResponse after reading the whole body, and counts the posts, their body bytes and the
spans in them (the protobuf walked just deep enough: ExportTraceServiceRequest.resource_spans = 1,
ResourceSpans.scope_spans = 2, ScopeSpans.spans = 2). GET /stats answers "posts bytes spans unreadable", the
totals since the start (unreadable: bodies whose spans could not be counted; they are still answered 200).
"""
import gzip
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def varint(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def embedded(data, number):
    """The length-delimited fields with this field number in one protobuf message."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        wire = key & 7
        if wire == 0:
            _, i = varint(data, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            length, i = varint(data, i)
            if i + length > len(data):
                raise ValueError("field runs past the message")
            if key >> 3 == number:
                yield data[i:i + length]
            i += length
        else:
            raise ValueError(f"wire type {wire}")


def count_spans(body):
    return sum(1 for resource in embedded(body, 1) for scope in embedded(resource, 2) for _ in embedded(scope, 2))


class Totals:
    lock = threading.Lock()
    posts = bytes = spans = unreadable = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the exporter reuses its connection

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_POST(self):
        body = self.read_body()
        size = len(body)
        try:
            if self.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            spans, unreadable = count_spans(body), 0
        except (ValueError, IndexError, OSError):
            spans, unreadable = 0, 1
        with Totals.lock:
            Totals.posts += 1
            Totals.bytes += size
            Totals.spans += spans
            Totals.unreadable += unreadable
        self.answer(b"", "application/x-protobuf")

    def do_GET(self):
        with Totals.lock:
            line = f"{Totals.posts} {Totals.bytes} {Totals.spans} {Totals.unreadable}\n"
        self.answer(line.encode(), "text/plain")

    def answer(self, payload, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: otlp-sink.py PORT_FILE")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(f"{server.server_address[1]}\n")
    # Renamed into place, so a reader never sees a half-written port.
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
