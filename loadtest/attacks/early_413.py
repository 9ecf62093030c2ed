"""early-413: answers that come before a 20 MiB request body has been read.

Four cases, TRIES tries each with three clients:
  upstream 413, RST      POST /up/reject: the upstream sends 413 + Connection: close after the head and
                         closes with the body unread (the kernel resets the connection)
  upstream 413, linger   POST /up/reject-linger: the same 413, then the upstream shuts down its sending side
                         and reads and discards the rest before closing (a graceful early answer)
  gateway 404            POST /nowhere: no route
  gateway 413            POST /up/upload over max_request_body (10 MiB; a second gateway start)
Clients:
  curl                   curl --data-binary @20MiB --max-time 15 (curl adds Expect: 100-continue for a body this size)
  curl, no Expect        the same with -H 'Expect:'
  raw socket             sends the head and the whole body without looking, then reads the response
                         (on a failed send it still reads whatever arrived)

Each cell: how many of TRIES the client read the expected status (413 or 404), then every outcome seen:
a status, or "no response" with why (curl's exit code / the socket error), "+ send failed" when the raw
client could not send its whole body (the gateway reset the connection while the body was still coming),
"+ gateway logged an error" when the gateway's log got an exception line during that try.
"""
import os
import socket
import subprocess
import time

import lib

NAME = "early-413"
TITLE = "answers sent before a 20 MiB body is read"
TRIES = int(os.environ.get("TRIES", "50"))
SIZE = 20 * 1024 * 1024
CELL_BUDGET = 180           # s per case and client; tries beyond it are reported as not tried
CURL_EXIT = {7: "connect failed", 18: "partial", 28: "timeout", 52: "empty reply", 55: "send failed",
             56: "recv failed (reset)"}

CASES = [  # (label, path, expected status, config's max_request_body)
    ("upstream 413, RST", "/up/reject", 413, "big"),
    ("upstream 413, linger", "/up/reject-linger", 413, "big"),
    ("gateway 404 (no route)", "/nowhere", 404, "big"),
    ("gateway 413 (max_request_body 10 MiB)", "/up/upload", 413, "small"),
]
LIMITS = {"big": ("100MiB", "100m"), "small": ("10MiB", "10m")}


def curl(port, path, body_file, no_expect):
    args = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "15",
            "-H", "Content-Type: application/octet-stream", "--data-binary", f"@{body_file}"]
    if no_expect:
        args += ["-H", "Expect:"]
    p = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=25)
    code = p.stdout.strip()
    if code and code != "000":
        return int(code), code + ("" if p.returncode == 0 else f" (curl exit {p.returncode})")
    return None, f"no response (curl {p.returncode}: {CURL_EXIT.get(p.returncode, p.stderr.strip()[:40])})"


PIECE = b"x" * (256 * 1024)


def raw(port, path):
    head = (f"POST {path} HTTP/1.1\r\nHost: attack\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {SIZE}\r\n\r\n").encode()
    send_err, read_err, buf = None, None, b""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError as e:
        return None, f"connect: {lib.error_name(e)}"
    with s:
        try:
            s.sendall(head)
            left = SIZE
            while left:
                n = s.send(PIECE[:min(left, len(PIECE))])
                left -= n
        except OSError as e:
            send_err = lib.error_name(e)
        try:
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError as e:
            read_err = lib.error_name(e)
    status, _ = lib.parse_head(buf.split(b"\r\n\r\n", 1)[0]) if buf else (None, {})
    out = str(status) if status else f"no response ({read_err or ('closed' if not buf else 'garbled')})"
    if send_err:
        out += f" + send failed ({send_err})"
    return status, out


CLIENTS = [("curl", lambda port, path, f: curl(port, path, f, False)),
           ("curl, no Expect", lambda port, path, f: curl(port, path, f, True)),
           ("raw socket", lambda port, path, f: raw(port, path))]


def run(env, kind):
    body = os.path.join(env.tmp, "body-20MiB")
    if not os.path.exists(body):
        with open(body, "wb") as f:
            f.write(b"x" * SIZE)
    figs, probs, health = [], [], []
    for limit in ("big", "small"):
        wd = env.workdir(f"{NAME}-{limit}", kind)
        lib.start_upstream(env, wd, env.up_ports[0])
        fg, ng = LIMITS[limit]
        gw = lib.start_gateway(env, kind, "early-413", wd, {"MAX_BODY": fg, "NGINX_MAX_BODY": ng})
        cpu0, fds0 = gw.cpu_s(), gw.fds()
        for label, path, want, lim in CASES:
            if lim != limit:
                continue
            for cname, fn in CLIENTS:
                t = time.monotonic()
                outs = []
                for _ in range(TRIES):
                    if not gw.alive():
                        outs.append((None, "gateway dead"))
                    elif time.monotonic() - t > CELL_BUDGET:
                        outs.append((None, f"not tried (cell over {CELL_BUDGET} s)"))
                    else:
                        before = len(gw.log_problems())
                        st, out = fn(gw.port, path, body)
                        time.sleep(0.05)
                        if len(gw.log_problems()) > before:
                            out += " + gateway logged an error"
                        outs.append((st, out))
                got = sum(1 for st, _ in outs if st == want)
                figs.append((f"{label}: {cname}", f"{got}/{TRIES} read {want}; {lib.counts(o for _, o in outs)}"))
                lib.log(f"{NAME} {kind}: {label}, {cname}: {got}/{TRIES} in {time.monotonic() - t:.0f} s")
        time.sleep(1)
        health.append((f"gateway fds before / after ({'max_request_body ' + fg})", f"{fds0} / {gw.fds()}"))
        h, p = lib.gateway_health(gw, cpu0)
        health += [(f"{k} ({fg})", v) for k, v in h]
        probs += p
        lib.stop_all()
    details = [("log lines (first 5 per gateway start)", "\n".join(probs))] if probs else []
    return {"figures": figs + health, "details": details}
