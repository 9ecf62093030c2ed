"""slow-body: 1,100 uploads that dribble one body byte per second (slowloris on the body).

Each slow connection sends `POST /upload` with Content-Length: 100000, then one byte every second, and
watches for an answer. Once all are open, legitimate clients make requests at a steady rate (one new
connection every 1/LEGIT_RATE s, alternating GET /small and a 100-byte POST /upload, 10 s timeout each)
for LEGIT_SECONDS. Every 0.5 s: upstream connections held, gateway fds and VmRSS.

Reported: % of legitimate requests answered 200 (and their latency), the most upstream connections held,
and how the slow connections ended: what they got (a status such as 408 or 503, a close without a
response, a reset) and when (seconds after their head was sent), or that they were still open at the end.
"""
import asyncio
import os
import time

import lib

NAME = "slow-body"
TITLE = "uploads that send one body byte per second"
SLOW = int(os.environ.get("SLOW_CLIENTS", "1100"))
LEGIT_SECONDS = float(os.environ.get("LEGIT_SECONDS", "20"))
LEGIT_RATE = float(os.environ.get("LEGIT_RATE", "10"))     # new legitimate requests per second
BODY = 100000


class Slow:
    def __init__(self):
        self.opened = None      # time the head was sent
        self.outcome = None     # None while open
        self.ended = None       # s after opened
        self.bytes = 0


async def slow_client(port, st, stop, pace):
    try:
        async with pace:        # at most 200 connects in flight
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
            writer.write(f"POST /upload HTTP/1.1\r\nHost: attack\r\nContent-Length: {BODY}\r\n\r\n".encode())
            await writer.drain()
    except Exception as e:      # noqa: BLE001
        st.outcome, st.ended = f"connect: {lib.error_name(e)}", 0.0
        return
    st.opened = time.monotonic()
    reading = asyncio.create_task(lib.read_response(reader, "POST"))
    try:
        while not stop.is_set() and not reading.done():
            await asyncio.wait({reading}, timeout=1.0)
            if reading.done() or stop.is_set():
                break
            try:
                writer.write(b"x")
                await asyncio.wait_for(writer.drain(), 5)
                st.bytes += 1
            except Exception:   # noqa: BLE001 - the read side tells what happened
                await asyncio.wait({reading}, timeout=2.0)
                if not reading.done():
                    st.outcome, st.ended = "write failed", time.monotonic() - st.opened
                break
        if reading.done() and st.outcome is None:
            st.ended = time.monotonic() - st.opened
            try:
                st.outcome = str(reading.result()[0])
            except Exception as e:      # noqa: BLE001
                st.outcome = {"closed": "closed, no response"}.get(lib.error_name(e), lib.error_name(e))
    finally:
        reading.cancel()
        writer.close()


async def legit(port, deadline, out):
    tasks = []
    i = 0
    start = time.monotonic()
    while time.monotonic() < deadline:
        if i % 2 == 0:
            raw, method = lib.get("/small"), "GET"
        else:
            raw = b"POST /upload HTTP/1.1\r\nHost: attack\r\nContent-Length: 100\r\n\r\n" + b"y" * 100
            method = "POST"
        tasks.append(asyncio.create_task(lib.request(port, raw, 10.0, method=method)))
        i += 1
        await asyncio.sleep(max(0.0, start + i / LEGIT_RATE - time.monotonic()))
    out.extend(await asyncio.gather(*tasks))


async def scenario(gw, env):
    stop = asyncio.Event()
    slows = [Slow() for _ in range(SLOW)]
    samples = []
    t0 = time.monotonic()

    async def sampler():
        while not stop.is_set():
            socks = lib.tcp_sockets()
            samples.append((time.monotonic() - t0, lib.upstream_conns(env.up_ports[:1], socks), gw.fds(), gw.rss_kb(),
                            sum(1 for s in slows if s.opened and s.outcome is None)))
            await asyncio.sleep(0.5)

    smp = asyncio.create_task(sampler())
    pace = asyncio.Semaphore(200)
    tasks = [asyncio.create_task(slow_client(gw.port, st, stop, pace)) for st in slows]
    cap = time.monotonic() + 60
    while any(st.opened is None and st.outcome is None for st in slows) and time.monotonic() < cap:
        await asyncio.sleep(0.1)
    t_open = time.monotonic() - t0
    legit_out = []
    t_legit = time.monotonic()
    await legit(gw.port, t_legit + LEGIT_SECONDS, legit_out)
    t_end = time.monotonic() - t0
    still = sum(1 for s in slows if s.outcome is None)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await smp
    return slows, legit_out, samples, t_open, t_legit - t0, t_end, still


def run(env, kind):
    wd = env.workdir(NAME, kind)
    lib.start_upstream(env, wd, env.up_ports[0])
    gw = lib.start_gateway(env, kind, "slow-body", wd)
    cpu0, rss0 = gw.cpu_s(), gw.rss_kb()
    slows, legit_out, samples, t_open, t_legit, t_end, still = asyncio.run(scenario(gw, env))

    ok = [r.elapsed for r in legit_out if r.status == 200]
    ended = [s for s in slows if s.outcome is not None]
    by_outcome = {}
    for s in ended:
        by_outcome.setdefault(s.outcome, []).append(s.ended)
    how = "; ".join(f"{k}: {len(v)} at {min(v):.1f}-{max(v):.1f} s (median {lib.pct(v, 50):.1f})"
                    for k, v in sorted(by_outcome.items(), key=lambda kv: -len(kv[1]))) or "-"
    max_up = max(x[1] for x in samples)
    figs = [
        ("slow connections opened", f"{sum(1 for s in slows if s.opened)} of {SLOW} (all heads sent at +{t_open:.1f} s)"),
        (f"legit requests served 200 ({LEGIT_RATE:g}/s for {LEGIT_SECONDS:g} s)",
         f"{len(ok)} of {len(legit_out)} ({100 * len(ok) / max(1, len(legit_out)):.0f} %)"),
        ("legit outcomes", lib.counts(r.outcome() for r in legit_out)),
        ("legit latency, 200s", lib.latency_summary(ok)),
        ("max upstream conns held (0.5 s samples)", str(max_up)),
        ("upstream conns at end of legit phase", str(samples[-1][1])),
        ("gateway fds max / VmRSS added MB max", f"{max(x[2] for x in samples)} / {lib.mb(max(x[3] for x in samples) - rss0)}"),
        ("slow connections ended by the gateway", f"{len(ended)} of {SLOW}"),
        ("slow: how / when ended (s after head)", how),
        ("slow: still open at end of legit phase", f"{still} (at +{t_end:.0f} s)"),
        ("slow: body bytes sent per connection, max", str(max(s.bytes for s in slows))),
    ]
    health, probs = lib.gateway_health(gw, cpu0)
    figs += health
    rows = []
    next_t = 0.0
    for t, up, fds, rss, open_ in samples:
        if t >= next_t:
            rows.append([f"+{t:.1f} s", up, fds, lib.mb(rss - rss0), open_])
            next_t = t + 2.0
    details = [(f"timeline (legit phase from +{t_legit:.1f} s)",
                lib.table(["t", "upstream conns", "gateway fds", "RSS added MB", "slow conns open"], rows))]
    if probs:
        details.append(("log lines (first 5)", "\n".join(probs)))
    return {"figures": figs, "details": details}
