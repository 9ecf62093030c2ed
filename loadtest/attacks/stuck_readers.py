"""stuck-readers: clients that request a 4 MiB response and never read it.

Run 1: 200 stuck clients against max_connections = 100; while they are stuck, 200 other clients make one
small request each (from +2 s, one new connection every 10 ms, each with a 20 s timeout). Sampled at fixed
times from the moment the last stuck request was sent: upstream connections held (ESTABLISHED towards the upstream port), gateway fds and VmRSS, and the gateway's
end of each stuck connection (from /proc/net/tcp): open with unsent bytes queued ("sending": stuck in the
response), open with nothing queued (idle: its response was small, e.g. a 503), closing (the gateway closed
it and the kernel still tries to flush behind the zero window: FIN_WAIT1; no longer the gateway's), or gone
(reset). send_timeout is 10 s, so by +20 s no stuck connection should be held by the gateway. The client's
end is shown too (after a plain close it stays ESTABLISHED: the FIN waits behind the unread data), and how
many stuck clients have received any response bytes (their receive queue is not empty) by then.

Run 2: 1,000 stuck clients, max_connections = 1100 so that each one gets an upstream response; peak VmRSS
added while they are stuck (the issue's target: at most 50 MB), and what is left after send_timeout. Then
more waves of 1,000 on the same gateway (STUCK_WAVES in all, default 3): is the memory the first wave left
behind reused, or added to?

Upstream connections are counted twice: all ESTABLISHED ones, and the busy ones among them (bytes queued at
either end: a response not yet read to its end), as opposed to idle ones waiting in a pool.

Stuck clients set SO_RCVBUF to 16 KiB before connecting, so how much the kernel buffers for them does not
depend on autotuning; they never call recv.
"""
import asyncio
import os
import socket
import time

import lib

NAME = "stuck-readers"
TITLE = "clients that never read a 4 MiB response"
STUCK = int(os.environ.get("STUCK_CLIENTS", "200"))
NORMAL = int(os.environ.get("NORMAL_CLIENTS", "200"))
STUCK_BIG = int(os.environ.get("STUCK_CLIENTS_BIG", "1000"))
NORMAL_GAP = 0.01
SEND_TIMEOUT = 10          # configs/stuck-readers.*: send_timeout 10s
SAMPLES = [2, 5, 10, 15, 20, 25]
SAMPLES_BIG = [2, 5, 8, 15, 20, 30, 40]
SAMPLES_WAVE2 = [2, 8, 15, 25]
WAVES = int(os.environ.get("STUCK_WAVES", "3"))     # waves of 1,000 in run 2, on the same gateway


def open_stuck(port, n):
    socks, failed = [], []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(lib.get("/big"))
            socks.append(s)
        except OSError as e:
            failed.append(lib.error_name(e))
            s.close()
    return socks, failed


def sample(gw, env, t0, ports):
    socks = lib.tcp_sockets()
    ends = lib.server_ends(ports, gw.port, socks)
    cl = lib.client_ends(ports, gw.port, socks)
    return {
        "t": time.monotonic() - t0,
        "up": lib.upstream_conns(env.up_ports[:1], socks),
        "busy": lib.upstream_busy(env.up_ports[:1], socks),
        "fds": gw.fds(),
        "rss": gw.rss_kb(),
        **ends,
        "held": ends["sending"] + ends["open"],
        "client_open": cl.get("ESTABLISHED", 0),
        "client_fin": cl.get("CLOSE_WAIT", 0),
        "client_reset": cl.get("gone", 0),
        "client_unread": cl["unread"],
    }


def timeline(rows, base_rss):
    return lib.table(
        ["t", "upstream conns (busy)", "gateway fds", "VmRSS MB", "RSS added MB",
         "stuck: gw end sending", "gw end open, nothing queued", "gw end closing", "gone",
         "client end: open / FIN / reset", "client: response started"],
        [[f"+{r['t']:.0f} s", f"{r['up']} ({r['busy']})", r["fds"], lib.mb(r["rss"]), lib.mb(r["rss"] - base_rss),
          r["sending"], r["open"], r["closing"], r["gone"], f"{r['client_open']} / {r['client_fin']} / {r['client_reset']}", r["client_unread"]]
         for r in rows])


def still_open(r, n):
    return (f"{r['held']} of {n} ({r['sending']} sending, {r['open']} nothing queued; "
            f"{r['closing']} closing, {r['gone']} gone)")


async def observe(gw, env, t0, ports, offsets, during=None):
    """Samples at the given offsets (s since t0) while `during` (a coroutine started at +2 s) runs; also
    tracks the peak VmRSS every 0.5 s."""
    rows, peak = [], [gw.rss_kb()]

    async def peak_rss():
        while True:
            peak[0] = max(peak[0], gw.rss_kb())
            await asyncio.sleep(0.5)

    async def sampler():
        for off in offsets:
            await asyncio.sleep(max(0.0, t0 + off - time.monotonic()))
            rows.append(sample(gw, env, t0, ports))

    p = asyncio.create_task(peak_rss())
    s = asyncio.create_task(sampler())
    result = None
    if during is not None:
        await asyncio.sleep(max(0.0, t0 + 2 - time.monotonic()))
        await asyncio.sleep(0.05)          # after the +2 s sample
        result = await during
    await s
    p.cancel()
    return rows, max(peak[0], max(r["rss"] for r in rows)), result


async def normal_clients(port, n):
    """n small requests, one new connection started every NORMAL_GAP s (not all at once: nginx's max_conns
    has no queue, so a burst of 200 against max_conns 100 is refused half even with no stuck client)."""
    t = time.monotonic()

    async def one(i):
        await asyncio.sleep(i * NORMAL_GAP)
        return await lib.request(port, lib.get("/small"), 20.0)

    rs = await asyncio.gather(*(one(i) for i in range(n)))
    return rs, time.monotonic() - t


def warm(port):
    bad = [r.outcome() for r in asyncio.run(_warm(port)) if r.status != 200]
    if bad:
        raise RuntimeError(f"warm-up requests failed: {lib.counts(bad)}")


async def _warm(port):
    out = []
    for _ in range(20):
        out.append(await lib.request(port, lib.get("/small"), 5.0))
    out.append(await lib.request(port, lib.get("/big"), 10.0))
    return out


def figures_at(rows, t):
    """The sample taken for offset t (samples are taken at their offset or, on a busy machine, a bit later)."""
    return next((r for r in rows if r["t"] >= t - 0.5), rows[-1])


def run(env, kind):
    figs, details = [], []

    # ---- run 1: 200 stuck, 200 normal, max_connections 100
    wd = env.workdir(NAME, kind)
    lib.start_upstream(env, wd, env.up_ports[0])
    gw = lib.start_gateway(env, kind, "stuck-readers", wd, {"MAX_CONNS": 100})
    warm(gw.port)
    cpu0, fds0, rss0 = gw.cpu_s(), gw.fds(), gw.rss_kb()
    socks, failed = open_stuck(gw.port, STUCK)
    t0 = time.monotonic()
    ports = [s.getsockname()[1] for s in socks]
    rows, peak, (normal, normal_wall) = asyncio.run(
        observe(gw, env, t0, ports, SAMPLES, normal_clients(gw.port, NORMAL)))
    ok = [r.elapsed for r in normal if r.status == 200]
    r2, r10 = figures_at(rows, 2), figures_at(rows, 10)
    after = figures_at(rows, SEND_TIMEOUT + 10)
    figs += [
        (f"stuck clients (max_connections 100)", f"{len(socks)} sent GET /big" + (f", {len(failed)} failed: {lib.counts(failed)}" if failed else "")),
        (f"normal requests served 200 (of {NORMAL})", f"{len(ok)}"),
        ("normal requests: outcomes", lib.counts(r.outcome() for r in normal)),
        ("normal latency, 200s", lib.latency_summary(ok)),
        ("normal latency, all", lib.latency_summary([r.elapsed for r in normal])),
        ("upstream conns at +2 s / +10 s (busy: bytes queued)", f"{r2['up']} ({r2['busy']}) / {r10['up']} ({r10['busy']})"),
        ("gateway fds before / +2 s / +10 s", f"{fds0} / {r2['fds']} / {r10['fds']}"),
        ("VmRSS MB before / +2 s / peak", f"{lib.mb(rss0)} / {lib.mb(r2['rss'])} / {lib.mb(peak)}"),
        ("VmRSS added MB at +2 s / peak", f"{lib.mb(r2['rss'] - rss0)} / {lib.mb(peak - rss0)}"),
        (f"stuck held open by gateway at +{SEND_TIMEOUT + 10} s (send_timeout {SEND_TIMEOUT} s)",
         still_open(after, len(socks))),
        (f"upstream conns (busy) / fds at +{SEND_TIMEOUT + 10} s", f"{after['up']} ({after['busy']}) / {after['fds']}"),
    ]
    details.append((f"{STUCK} stuck clients, max_connections 100; {NORMAL} normal requests from +2 s "
                    f"(all answered after {normal_wall:.1f} s)", timeline(rows, rss0)))
    for s in socks:
        s.close()
    health, probs = lib.gateway_health(gw, cpu0)
    lib.stop_all()

    # ---- run 2: 1,000 stuck, max_connections 1100: memory
    wd = env.workdir(NAME + "-big", kind)
    lib.start_upstream(env, wd, env.up_ports[0])
    gw = lib.start_gateway(env, kind, "stuck-readers", wd, {"MAX_CONNS": 1100})
    warm(gw.port)
    cpu1, rss0 = gw.cpu_s(), gw.rss_kb()
    socks, failed = open_stuck(gw.port, STUCK_BIG)
    t0 = time.monotonic()
    ports = [s.getsockname()[1] for s in socks]
    rows, peak, _ = asyncio.run(observe(gw, env, t0, ports, SAMPLES_BIG))
    r2, last = figures_at(rows, 2), rows[-1]
    held = max(r["up"] for r in rows)
    busy = max(r["busy"] for r in rows)
    figs += [
        (f"{STUCK_BIG} stuck clients (max_connections 1100)", f"{len(socks)} sent GET /big" + (f", {len(failed)} failed: {lib.counts(failed)}" if failed else "")),
        (f"{STUCK_BIG} stuck: VmRSS added MB, +2 s / peak (target <= 50)", f"{lib.mb(r2['rss'] - rss0)} / {lib.mb(peak - rss0)}"),
        (f"{STUCK_BIG} stuck: upstream conns, max (busy, max)", f"{held} ({busy})"),
        (f"{STUCK_BIG} stuck: held open by gateway at +{SAMPLES_BIG[-1]} s", still_open(last, len(socks))),
        (f"{STUCK_BIG} stuck: RSS added MB at +{SAMPLES_BIG[-1]} s", lib.mb(last["rss"] - rss0)),
    ]
    details.append((f"{STUCK_BIG} stuck clients, max_connections 1100", timeline(rows, rss0)))
    for s in socks:
        s.close()

    # ---- run 2, more waves on the same gateway: is the memory of the first wave reused, or added to?
    for wave in range(2, WAVES + 1):
        time.sleep(1)
        socks, failed = open_stuck(gw.port, STUCK_BIG)
        t0 = time.monotonic()
        ports = [s.getsockname()[1] for s in socks]
        rows, peak2, _ = asyncio.run(observe(gw, env, t0, ports, SAMPLES_WAVE2))
        figs.append((f"wave {wave} of {STUCK_BIG} on the same gateway: RSS added MB since before wave 1, peak / +{SAMPLES_WAVE2[-1]} s",
                     f"{lib.mb(peak2 - rss0)} / {lib.mb(rows[-1]['rss'] - rss0)}"))
        details.append((f"wave {wave} of {STUCK_BIG} stuck clients on the same gateway (RSS added since before wave 1)",
                        timeline(rows, rss0)))
        for s in socks:
            s.close()
    h2, probs2 = lib.gateway_health(gw, cpu1)
    figs += [(f"{k} (run 1 / run 2)", f"{v} / {dict(h2)[k]}") for k, v in health]
    if probs or probs2:
        details.append(("log lines (first 5 per run)", "\n".join(probs + probs2)))
    return {"figures": figs, "details": details}
