#!/usr/bin/env python3
"""RSS per idle keep-alive client connection of the fastgate binary.

Starts fastgate (the native binary from ./publish.sh unless --binary says otherwise) in front of a tiny upstream
in this process, then, ROUNDS times: opens CONNECTIONS keep-alive client connections one after another, each
doing one GET, leaves them all idle, waits until RSS settles, and reads VmRSS from /proc/PID/status. Then every
connection sends a second request (each must get 200) and all are closed.

Round 1 includes what the process grows once and keeps (GC heap, the pinned block pool, context pool); later
rounds measure what an idle connection costs on a warm process. Per connection = (idle RSS - RSS before the
round) / CONNECTIONS.

    loadtest/idle-connections.py                       # 10,000 connections, 2 rounds
    loadtest/idle-connections.py --connections 2000 --rounds 3 --binary artifacts/fastgate/fastgate
"""
import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUEST = b"GET /idle HTTP/1.1\r\nHost: idle-test\r\n\r\n"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_upstream(listener):
    """Answers every request on every connection with 200 "ok"; one thread per upstream connection."""
    def session(conn):
        with conn:
            pending = b""
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                pending += data
                while b"\r\n\r\n" in pending:
                    _, pending = pending.split(b"\r\n\r\n", 1)
                    conn.sendall(RESPONSE)
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=session, args=(conn,), daemon=True).start()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def settled_rss(pid, seconds):
    """RSS once it stopped moving for a second (at most `seconds`)."""
    deadline = time.time() + seconds
    last = rss_kib(pid)
    while time.time() < deadline:
        time.sleep(1)
        now = rss_kib(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last


def read_response(sock):
    data = b""
    while not data.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("gateway closed the connection: %r" % data)
        data += chunk
    return data


def exchange(sock):
    sock.sendall(REQUEST)
    response = read_response(sock)
    if not response.startswith(b"HTTP/1.1 200 "):
        raise RuntimeError("unexpected response %r" % response[:80])


def wait_accepting(port, process):
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("fastgate exited with %d" % process.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("fastgate did not start accepting")


def run_round(pid, port, count, pause, keep):
    before = settled_rss(pid, 10)
    sockets = []
    started = time.time()
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        exchange(s)
        sockets.append(s)
    opened = time.time() - started
    idle = settled_rss(pid, 20)
    if pause:
        print(f"       {count} connections idle; pausing {pause} s (e.g. dotnet-gcdump collect -p {pid})", flush=True)
        time.sleep(pause)
    for s in sockets:
        exchange(s)
    after_second = rss_kib(pid)
    if keep is not None:
        keep.extend(sockets)
    else:
        for s in sockets:
            s.close()
    return before, idle, after_second, opened


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--binary", help="fastgate binary (default: build it with ./publish.sh)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each round's connections open: later rounds measure the cost on top of them")
    parser.add_argument("--pause", type=float, default=0, help="seconds to keep the connections idle after measuring")
    parser.add_argument("--stats", action="store_true", help="also print fastgate's stats line (heap) at each idle point")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.connections * (args.rounds if args.keep else 1) + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
        if min(need, hard) < need:
            sys.exit(f"open files limit {hard} is below the {need} needed")

    binary = args.binary or subprocess.run([os.path.join(ROOT, "publish.sh")], check=True,
                                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    binary = os.path.join(ROOT, binary) if not os.path.isabs(binary) else binary

    upstream = socket.socket()
    upstream.bind(("127.0.0.1", 0))
    upstream.listen(512)
    threading.Thread(target=serve_upstream, args=(upstream,), daemon=True).start()
    port = free_port()
    config = f"""
[server]
listen = ["127.0.0.1:{port}"]
stats_interval = "{'1s' if args.stats else '0s'}"
[limits]
keepalive_timeout = "10m"
[clusters.idle]
destinations = ["127.0.0.1:{upstream.getsockname()[1]}"]
[routes.all]
path = "/{{**rest}}"
cluster = "idle"
[admin]
listen = "127.0.0.1:0"
"""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(config)
    stats = []
    process = subprocess.Popen([binary, "--config", f.name], stdout=subprocess.PIPE if args.stats else subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)
    if args.stats:
        threading.Thread(target=lambda: [stats.append(line.strip()) for line in process.stdout if "heap=" in line],
                         daemon=True).start()
    try:
        wait_accepting(port, process)
        # One warm-up request, so start-up allocations are not charged to the first round.
        with socket.create_connection(("127.0.0.1", port)) as s:
            exchange(s)
        print(f"fastgate {binary}, pid {process.pid}, {args.connections} idle keep-alive connections per round")
        print(f"start RSS {rss_kib(process.pid) / 1024:.1f} MB")
        print("round  RSS before MB  RSS idle MB  added MB  KB per idle connection  RSS after 2nd request MB  open s")
        kept = [] if args.keep else None
        for r in range(1, args.rounds + 1):
            before, idle, second, opened = run_round(process.pid, port, args.connections, args.pause, kept)
            added = idle - before
            print(f"{r:5}  {before / 1024:13.1f}  {idle / 1024:11.1f}  {added / 1024:8.1f}  "
                  f"{added / args.connections:22.2f}  {second / 1024:24.1f}  {opened:6.1f}", flush=True)
            if stats:
                print("       last stats line: " + stats[-1])
    finally:
        process.terminate()
        process.wait(30)
        os.unlink(f.name)


if __name__ == "__main__":
    main()
