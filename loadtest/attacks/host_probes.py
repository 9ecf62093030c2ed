"""host-probes: malformed and unusual Host values.

One raw request per probe (GET /host/N, X-Probe-Id: N, Connection: close) through a catch-all route to a
recording upstream. Per probe: the status, whether the request reached the upstream, the Host field(s) it
received (or "absent") and its X-Forwarded-Host. "RFC" is what RFC 9112 section 3.2 / RFC 3986 section
3.2.2 make of the value: a server MUST answer 400 to an HTTP/1.1 request without Host, with more than one
Host, or with an invalid one; an absolute-form target's authority replaces Host.
"""
import json
import os
import time

import lib

NAME = "host-probes"
TITLE = "malformed Host values and a missing Host"

# (label, request line, Host lines, RFC note)
PROBES = [
    ("a (control)", "GET /host/{i} HTTP/1.1", ["a"], "valid"),
    ("a:80 (control)", "GET /host/{i} HTTP/1.1", ["a:80"], "valid"),
    ("a:80x", "GET /host/{i} HTTP/1.1", ["a:80x"], "invalid port: 400"),
    ("a:b", "GET /host/{i} HTTP/1.1", ["a:b"], "invalid port: 400"),
    ("a:80:90", "GET /host/{i} HTTP/1.1", ["a:80:90"], "invalid: 400"),
    ("[zz]", "GET /host/{i} HTTP/1.1", ["[zz]"], "invalid IP literal: 400"),
    ("[::1", "GET /host/{i} HTTP/1.1", ["[::1"], "invalid IP literal: 400"),
    ("a b", "GET /host/{i} HTTP/1.1", ["a b"], "invalid: 400"),
    ("HTTP/1.0, no Host", "GET /host/{i} HTTP/1.0", [], "valid (1.0); a 1.1 upstream request needs Host"),
    ("HTTP/1.1, no Host", "GET /host/{i} HTTP/1.1", [], "MUST 400"),
    ("empty Host", "GET /host/{i} HTTP/1.1", [""], "valid (empty authority)"),
    ("[::1]:80", "GET /host/{i} HTTP/1.1", ["[::1]:80"], "valid"),
    ("[::1]", "GET /host/{i} HTTP/1.1", ["[::1]"], "valid"),
    ("a: (empty port)", "GET /host/{i} HTTP/1.1", ["a:"], "valid (port = *DIGIT)"),
    ("a:65536", "GET /host/{i} HTTP/1.1", ["a:65536"], "syntax valid, port out of range"),
    ("a@b", "GET /host/{i} HTTP/1.1", ["a@b"], "invalid (userinfo): 400"),
    ("a/b", "GET /host/{i} HTTP/1.1", ["a/b"], "invalid: 400"),
    ("a?b", "GET /host/{i} HTTP/1.1", ["a?b"], "invalid: 400"),
    ("a,b", "GET /host/{i} HTTP/1.1", ["a,b"], "reg-name allows ',' (not a list)"),
    ("a%20b", "GET /host/{i} HTTP/1.1", ["a%20b"], "valid (pct-encoded reg-name)"),
    ("a_b", "GET /host/{i} HTTP/1.1", ["a_b"], "valid reg-name"),
    ("two Host: a, a", "GET /host/{i} HTTP/1.1", ["a", "a"], "MUST 400 (more than one)"),
    ("two Host: a, b", "GET /host/{i} HTTP/1.1", ["a", "b"], "MUST 400 (more than one)"),
    ("absolute-form + Host: other", "GET http://abs/host/{i} HTTP/1.1", ["other"], "valid; upstream should see abs"),
    ("HTTP/1.0 absolute-form, no Host", "GET http://abs/host/{i} HTTP/1.0", [], "valid; upstream should see abs"),
]


def run(env, kind):
    wd = env.workdir(NAME, kind)
    rec = os.path.join(wd, "record-A.jsonl")
    lib.start_upstream(env, wd, env.up_ports[0], "A", rec)
    gw = lib.start_gateway(env, kind, "host-probes", wd)
    cpu0 = gw.cpu_s()
    statuses = []
    for i, (_, line, hosts, _) in enumerate(PROBES):
        raw = line.format(i=i) + "\r\n" + "".join(f"Host: {h}\r\n" for h in hosts)
        raw += f"X-Probe-Id: {i}\r\nConnection: close\r\n\r\n"
        st, _, err = lib.raw_exchange(gw.port, raw.encode("latin-1"), 5.0)
        statuses.append(st if st else err)
    time.sleep(0.5)
    got = {}
    try:
        with open(rec) as f:
            for ln in f:
                e = json.loads(ln)
                if e.get("probe") is not None:
                    got[int(e["probe"])] = e
    except OSError:
        pass
    rows, forwarded_bad, no_host = [], [], []
    for i, (label, _, _, note) in enumerate(PROBES):
        e = got.get(i)
        if e is None:
            host, xfh, up = "-", "-", "no"
        else:
            up = "yes"
            host = " + ".join(repr(h) for h in e["host"]) if e["host"] else "absent"
            xfh = " + ".join(repr(h) for h in e["xfh"]) or "-"
            if "400" in note:
                forwarded_bad.append(label)
            if not e["host"]:
                no_host.append(label)
        rows.append([i, label, note, statuses[i], up, host, xfh])
    figs = [
        ("probes sent", str(len(PROBES))),
        ("statuses", lib.counts(str(s) for s in statuses)),
        ("reached the upstream", str(len(got))),
        ("forwarded although the RFC says 400", f"{len(forwarded_bad)}: {', '.join(forwarded_bad) or '-'}"),
        ("forwarded without a Host field", f"{len(no_host)}: {', '.join(no_host) or '-'}"),
    ]
    health, probs = lib.gateway_health(gw, cpu0)
    details = [("every probe", lib.table(
        ["#", "Host sent", "RFC", "status", "reached upstream", "Host received", "X-Forwarded-Host received"], rows))]
    if probs:
        details.append(("log lines (first 5)", "\n".join(probs)))
    return {"figures": figs + health, "details": details}
