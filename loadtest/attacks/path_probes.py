"""path-probes: can a request routed as /public/... reach /admin on the upstream?

Routes: /public/{**rest} -> upstream A, /admin/{**rest} -> upstream B (two recording upstreams that log
the request-target they receive). Each probe is one raw request (Connection: close, X-Probe-Id: N).
Per probe: the status, which upstream got it, the target it received, and that target normalised.

Bypass (strict): the probe reached A with a target whose path, percent-decoded once and then with its dot
segments removed (RFC 3986 5.2.4), starts with /admin.
Bypass (loose): the same, but decoded twice, '\\' read as '/', and ';params' cut from each segment, as
some back ends do (IIS, Tomcat, double-decoding frameworks). Both are counted; the strict one is the figure. Also counted: probes that reached B with a target that
normalises (strictly) outside /admin, i.e. the gateway's idea of the path and the upstream's differ.
"""
import json
import os
import re
import time

import lib

NAME = "path-probes"
TITLE = "dot-segment and encoding probes from /public to /admin"

PROBES = [
    "/public/x",                                  # control: A
    "/admin/x",                                   # control: B
    "/public/../admin/x",
    "/public/%2e%2e/admin/x",
    "/public/%2E%2E/admin/x",
    "/public/.%2e/admin/x",
    "/public/%2e./admin/x",
    "/public/x/../../admin/x",
    "/public/..%2fadmin/x",
    "/public/..%2Fadmin/x",
    "/public/%2e%2e%2fadmin/x",
    "/public/..%5cadmin/x",
    "/public/%2e%2e%5cadmin/x",
    "/public/./../admin/x",
    "/public/%2e/../admin/x",
    "/public//../admin/x",
    "/public/x/%2e%2e/%2e%2e/admin/x",
    "/public/x/..%2f..%2fadmin/x",
    "/public/%252e%252e/admin/x",
    "/public/..%255cadmin/x",
    "/public/..;/admin/x",
    "/public/%2e%2e;/admin/x",
    "/public;/../admin/x",
    "/public/..%00/admin/x",
    "/public/\\..\\admin/x",
    "/public/..\\admin/x",
    "/public/%c0%ae%c0%ae/admin/x",
    "/public/..%c0%afadmin/x",
    "/public/%2e%2e/%61dmin/x",
    "/public/../admin/x?q=1",
    "/public/.../admin/x",
    "/PUBLIC/../admin/x",
    "http://h/public/../admin/x",
    "http://h/public/%2e%2e/admin/x",
    "http://h/public/..%2fadmin/x",
    "/public/..#/admin/x",
    "/public/..\t/admin/x",
]


def pct_decode(s):
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)


def remove_dot_segments(path):
    """RFC 3986 section 5.2.4."""
    out = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if out:
                out.pop()
        elif path == "/..":
            path = "/"
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            i = path.find("/", 1)
            seg, path = (path, "") if i < 0 else (path[:i], path[i:])
            out.append(seg)
    return "".join(out)


def path_of(target):
    m = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", target)
    if m:
        target = target[m.end():] or "/"
    return re.split(r"[?#]", target, 1)[0]


def strict(target):
    return remove_dot_segments(pct_decode(path_of(target)))


def loose(target):
    p = pct_decode(pct_decode(path_of(target))).replace("\\", "/")
    p = "/".join(seg.split(";", 1)[0] for seg in p.split("/"))
    return remove_dot_segments(p)


def show(s):
    return "".join(c if 32 < ord(c) < 127 else f"\\x{ord(c):02x}" for c in s)


def records(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                e = json.loads(line)
                if e.get("probe") is not None:
                    out.setdefault(int(e["probe"]), []).append(e)
    except OSError:
        pass
    return out


def run(env, kind):
    wd = env.workdir(NAME, kind)
    rec = {n: os.path.join(wd, f"record-{n}.jsonl") for n in "AB"}
    lib.start_upstream(env, wd, env.up_ports[0], "A", rec["A"])
    lib.start_upstream(env, wd, env.up_ports[1], "B", rec["B"])
    gw = lib.start_gateway(env, kind, "path-probes", wd)
    cpu0 = gw.cpu_s()
    statuses = []
    for i, target in enumerate(PROBES):
        raw = f"GET {target} HTTP/1.1\r\nHost: h\r\nX-Probe-Id: {i}\r\nConnection: close\r\n\r\n".encode("latin-1")
        st, _, err = lib.raw_exchange(gw.port, raw, 5.0)
        statuses.append(st if st else err)
    time.sleep(0.5)
    got = {n: records(rec[n]) for n in "AB"}
    rows, bypass, bypass_loose, mismatch, at = [], [], [], [], {"A": 0, "B": 0, "none": 0}
    for i, target in enumerate(PROBES):
        where = [n for n in "AB" if i in got[n]]
        received = [e["target"] for n in where for e in got[n][i]]
        up = "+".join(where) or "none"
        at[up] = at.get(up, 0) + 1
        b = "A" in where and any(strict(t).startswith("/admin") for t in (e["target"] for e in got["A"][i]))
        bl = "A" in where and any(loose(t).startswith("/admin") for t in (e["target"] for e in got["A"][i]))
        if "B" in where and not all(strict(e["target"]).startswith("/admin") for e in got["B"][i]):
            mismatch.append(target)
            b_note = "B: not /admin"
        else:
            b_note = ""
        if b:
            bypass.append(target)
        if bl:
            bypass_loose.append(target)
        rows.append([i, show(target), statuses[i], up, " | ".join(show(t) for t in received) or "-",
                     " | ".join(show(strict(t)) for t in received) or "-",
                     "BYPASS" if b else ("loose" if bl else b_note)])
    figs = [
        ("probes sent", str(len(PROBES))),
        ("reached A (public) / B (admin) / no upstream", f"{at['A']} / {at['B']} / {at['none']}"
         + (f" / both {at['A+B']}" if "A+B" in at else "")),
        ("statuses", lib.counts(str(s) for s in statuses)),
        ("bypasses (strict: decoded once, dot segments removed)", str(len(bypass))),
        ("bypasses (loose: also double-decoded, \\ as /, ;params cut)", str(len(bypass_loose))),
        ("reached B (admin) with a target that normalises outside /admin", str(len(mismatch))),
    ]
    health, probs = lib.gateway_health(gw, cpu0)
    details = [("bypassing probes (strict)", "\n".join(show(t) for t in bypass) or "none"), ("every probe", lib.table(
        ["#", "probe (request-target sent)", "status", "upstream", "target received", "received, normalised", "bypass"], rows))]
    if probs:
        details.append(("log lines (first 5)", "\n".join(probs)))
    return {"figures": figs + health, "details": details}
