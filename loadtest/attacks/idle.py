"""idle: 10,000 keep-alive client connections, each idle after one small request.

The clients connect and make their request CONCURRENCY at a time; every connection is then left open.
Measured 2 s after the last response (and again 5 s later): the gateway's VmRSS added since before the
first connection (÷ connections = KB per idle connection), its fds, how many of the connections it still
holds open, and how many upstream connections stay pooled (ESTABLISHED towards the upstream port).
Then every client closes, and the same figures once more 3 s later.
"""
import asyncio
import os
import time

import lib

NAME = "idle"
TITLE = "10,000 idle keep-alive client connections"
IDLE = int(os.environ.get("IDLE_CLIENTS", "10000"))
CONCURRENCY = 200
OPEN_BUDGET = 180          # s for all connections and their requests; the rest are counted as failed


async def open_idle(port, n):
    sem = asyncio.Semaphore(CONCURRENCY)
    writers, failed, lat = [], [], []

    async def one():
        async with sem:
            r, w = await lib.request(port, lib.get("/small"), 20.0, keep=True)
            if w is not None and r.status == 200:
                writers.append(w)
                lat.append(r.elapsed)
            else:
                failed.append(r.outcome())
                if w is not None:
                    w.close()

    t = time.monotonic()
    tasks = [asyncio.create_task(one()) for _ in range(n)]
    _, pending = await asyncio.wait(tasks, timeout=OPEN_BUDGET)
    for p in pending:
        p.cancel()
    failed += [f"not done in {OPEN_BUDGET} s"] * len(pending)
    return writers, failed, lat, time.monotonic() - t


def snapshot(gw, env, ports):
    socks = lib.tcp_sockets()
    ends = lib.server_ends(ports, gw.port, socks)
    return {"rss": gw.rss_kb(), "fds": gw.fds(), "up": lib.upstream_conns(env.up_ports[:1], socks),
            "held": ends["open"] + ends["sending"], "closing": ends["closing"], "gone": ends["gone"]}


async def scenario(gw, env):
    rss0, fds0 = gw.rss_kb(), gw.fds()
    writers, failed, lat, took = await open_idle(gw.port, IDLE)
    ports = [w.get_extra_info("sockname")[1] for w in writers]
    await asyncio.sleep(2)
    s1 = snapshot(gw, env, ports)
    await asyncio.sleep(5)
    s2 = snapshot(gw, env, ports)
    for w in writers:
        w.close()
    await asyncio.sleep(3)
    s3 = snapshot(gw, env, ports)
    return rss0, fds0, writers, failed, lat, took, s1, s2, s3


def run(env, kind):
    wd = env.workdir(NAME, kind)
    lib.start_upstream(env, wd, env.up_ports[0])
    gw = lib.start_gateway(env, kind, "idle", wd)
    for _ in range(20):
        lib.raw_exchange(gw.port, lib.get("/small", extra="Connection: close\r\n"))
    time.sleep(1)
    cpu0 = gw.cpu_s()
    rss0, fds0, writers, failed, lat, took, s1, s2, s3 = asyncio.run(scenario(gw, env))
    n = len(writers)
    per = (s1["rss"] - rss0) / max(1, n)
    figs = [
        ("idle connections made (one 200 each)", f"{n} of {IDLE} in {took:.1f} s" + (f"; failed: {lib.counts(failed)}" if failed else "")),
        ("request latency", lib.latency_summary(lat)),
        ("VmRSS MB before / with all idle (+2 s) / +7 s", f"{lib.mb(rss0)} / {lib.mb(s1['rss'])} / {lib.mb(s2['rss'])}"),
        ("RSS per idle connection KB (+2 s)", f"{per:.1f}"),
        ("RSS per idle connection KB (+7 s)", f"{(s2['rss'] - rss0) / max(1, n):.1f}"),
        ("gateway fds before / +2 s", f"{fds0} / {s1['fds']}"),
        ("client conns held by gateway at +2 s / +7 s", f"{s1['held']} / {s2['held']}"),
        ("idle upstream conns pooled at +2 s / +7 s", f"{s1['up']} / {s2['up']}"),
        ("3 s after clients closed: VmRSS MB / fds / upstream pooled", f"{lib.mb(s3['rss'])} / {s3['fds']} / {s3['up']}"),
    ]
    health, probs = lib.gateway_health(gw, cpu0)
    details = [("log lines (first 5)", "\n".join(probs))] if probs else []
    return {"figures": figs + health, "details": details}
