"""Shared by the attack scenarios: processes, gateway configs, /proc measurements, HTTP clients, tables.

Every process is started in its own session and recorded; stop_all() (run at exit, and on SIGINT/SIGTERM
through SystemExit) stops each one by its pid / process group.
"""
import asyncio
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "configs")
T0 = time.monotonic()


def log(msg):
    print(f"[attacks {time.monotonic() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

_procs = []


def start(args, logfile, **kw):
    f = open(logfile, "ab")
    p = subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, **kw)
    f.close()
    _procs.append(p)
    return p


def stop(p, grace=5.0):
    """SIGTERM to the process, then SIGKILL to its process group (its own session: nginx's workers)."""
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGTERM)
            p.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(p.pid, signal.SIGKILL)   # the group we created; reaps leftovers (nginx workers)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(2)
    except subprocess.TimeoutExpired:
        pass
    if p in _procs:
        _procs.remove(p)


def stop_all():
    for p in list(reversed(_procs)):
        stop(p, grace=3.0)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in the background
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_port(port, proc, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if port_open(port):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def tail(path, n=15):
    try:
        with open(path, "rb") as f:
            return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")
    except OSError:
        return ""


# ---------------------------------------------------------------- environment

class Env:
    """Paths and ports of one harness run (set by attacks.py)."""

    def __init__(self, tmp, fastgate, nginx, base_port):
        self.tmp = tmp
        self.fastgate = fastgate
        self.nginx = nginx
        self.gw_port = {"fastgate": base_port + 80, "nginx": base_port + 81}
        self.up_ports = [base_port + 101, base_port + 102]   # upstream A (main), upstream B

    def workdir(self, scenario, gw):
        d = os.path.join(self.tmp, f"{scenario}-{gw}")
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)    # nginx's worker (nobody) reads its temp paths there
        return d


def start_upstream(env, wd, port, name="A", record=None):
    if port_open(port):
        raise RuntimeError(f"port {port} is already in use")
    args = [sys.executable, os.path.join(HERE, "upstream.py"), "--port", str(port), "--name", name]
    if record:
        args += ["--record", record]
    p = start(args, os.path.join(wd, f"upstream-{name}.log"))
    if not wait_port(port, p, 10):
        raise RuntimeError(f"upstream {name} on {port} did not start:\n{tail(os.path.join(wd, f'upstream-{name}.log'))}")
    return p


# ---------------------------------------------------------------- gateways

class Gateway:
    def __init__(self, kind, port, proc, wd, logfile):
        self.kind, self.port, self.proc, self.wd, self.logfile = kind, port, proc, wd, logfile

    def pids(self):
        """FastGate: the process. nginx: master and workers."""
        if self.proc.poll() is not None:
            return []
        return [self.proc.pid] + (children(self.proc.pid) if self.kind == "nginx" else [])

    def alive(self):
        return self.proc.poll() is None

    def exit_code(self):
        return self.proc.poll()

    def fds(self):
        return sum(fd_count(p) for p in self.pids())

    def rss_kb(self):
        return sum(rss_kb(p) for p in self.pids())

    def cpu_s(self):
        return sum(cpu_seconds(p) for p in self.pids())

    def log_problems(self):
        """Lines of the gateway's own log that look like trouble (exceptions, crashes, nginx [alert]/[crit])."""
        text = tail(self.logfile, 100000)
        if self.kind == "nginx":
            text += tail(os.path.join(self.wd, "error.log"), 100000)
        pat = re.compile(r"exception|unhandled|fatal|panic|\[alert\]|\[crit\]|\[emerg\]|segmentation|abort", re.I)
        return [ln for ln in text.splitlines() if pat.search(ln)]


def render(template, subs):
    with open(os.path.join(CONFIGS, template)) as f:
        text = f.read()
    for k, v in subs.items():
        text = text.replace(f"@{k}@", str(v))
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise RuntimeError(f"{template}: unreplaced {sorted(set(left))}")
    return text


def start_gateway(env, kind, config, wd, extra=None):
    """Starts FastGate with configs/<config>.toml or nginx with configs/<config>.nginx.conf.

    Placeholders: @LISTEN_PORT@, @UP_A@, @UP_B@ (upstream ports), @PREFIX@ (nginx's own directory),
    @NOFILE@ and @WORKER_CONNECTIONS@ (the open-files limit), plus `extra`."""
    port = env.gw_port[kind]
    if port_open(port):
        raise RuntimeError(f"port {port} is already in use")
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    subs = {"LISTEN_PORT": port, "UP_A": env.up_ports[0], "UP_B": env.up_ports[1], "PREFIX": wd,
            "NOFILE": nofile, "WORKER_CONNECTIONS": nofile}
    subs.update(extra or {})
    logfile = os.path.join(wd, f"{kind}.log")
    if kind == "fastgate":
        path = os.path.join(wd, "fastgate.toml")
        with open(path, "w") as f:
            f.write(render(f"{config}.toml", subs))
        p = start([env.fastgate, "--config", path], logfile)
    else:
        os.makedirs(os.path.join(wd, "temp"), exist_ok=True)
        os.chmod(os.path.join(wd, "temp"), 0o777)
        path = os.path.join(wd, "nginx.conf")
        with open(path, "w") as f:
            f.write(render(f"{config}.nginx.conf", subs))
        p = start([env.nginx, "-p", wd, "-e", os.path.join(wd, "error.log"), "-c", path, "-g", "daemon off;"], logfile)
    if not wait_port(port, p, 20):
        msg = tail(logfile) + tail(os.path.join(wd, "error.log"))
        stop(p)
        raise RuntimeError(f"{kind} did not start on {port}:\n{msg}")
    gw = Gateway(kind, port, p, wd, logfile)
    if kind == "nginx":        # the worker forks right after the master listens
        end = time.monotonic() + 5
        while not children(p.pid) and time.monotonic() < end:
            time.sleep(0.05)
    return gw


# ---------------------------------------------------------------- /proc

def _status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid):
    return _status_kb(pid, "VmRSS:")


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            f_ = f.read().rsplit(")", 1)[1].split()
        return (int(f_[11]) + int(f_[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
              "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}


def tcp_sockets():
    """[(local_port, remote_port, state, send_queue_bytes, receive_queue_bytes)] for every IPv4/IPv6 TCP socket."""
    out = []
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    p = line.split()
                    out.append((int(p[1].rsplit(":", 1)[1], 16), int(p[2].rsplit(":", 1)[1], 16),
                                TCP_STATES.get(p[3], p[3]), int(p[4].split(":")[0], 16), int(p[4].split(":")[1], 16)))
        except OSError:
            pass
    return out


def upstream_conns(ports, socks=None):
    """ESTABLISHED connections towards the upstream ports, counted at the connecting (gateway's) end."""
    ports = set(ports)
    return sum(1 for lp, rp, st, *_ in (socks if socks is not None else tcp_sockets())
               if rp in ports and st == "ESTABLISHED")


def upstream_busy(ports, socks=None):
    """Of the ESTABLISHED connections towards the upstream ports, how many have bytes queued at either end
    (a response still being sent, or unread by the gateway, or a request body in flight): busy ones, as
    opposed to idle ones kept in a pool."""
    socks = socks if socks is not None else tcp_sockets()
    ports = set(ports)
    queued = {}
    for lp, rp, st, txq, rxq in socks:
        if st != "ESTABLISHED":
            continue
        if rp in ports:                 # the gateway's end, keyed by its local port
            queued[lp] = queued.get(lp, False) or bool(txq or rxq)
        elif lp in ports:               # the upstream's end, keyed by the gateway's port
            queued[rp] = queued.get(rp, False) or bool(txq or rxq)
    gw_ends = {lp for lp, rp, st, *_ in socks if rp in ports and st == "ESTABLISHED"}
    return sum(1 for p in gw_ends if queued.get(p))


def server_ends(client_ports, server_port, socks=None):
    """What the server (gateway) end of each of our client connections is doing, by the client's local port:
    'sending' (open, unsent bytes queued: stuck in a response), 'open' (open, nothing queued: idle),
    'closing' (the gateway closed it; the kernel still holds it, e.g. FIN_WAIT1 behind unsent data),
    'gone' (no socket left: reset, or fully closed)."""
    table = {}
    for lp, rp, st, txq, _ in (socks if socks is not None else tcp_sockets()):
        if lp == server_port and st != "LISTEN":
            table[rp] = (st, txq)
    out = {"sending": 0, "open": 0, "closing": 0, "gone": 0}
    for cp in client_ports:
        st, txq = table.get(cp, (None, 0))
        if st is None:
            out["gone"] += 1
        elif st in ("ESTABLISHED", "CLOSE_WAIT", "SYN_RECV"):
            out["sending" if txq else "open"] += 1
        else:
            out["closing"] += 1
    return out


def client_ends(client_ports, server_port, socks=None):
    """State of our own client sockets towards server_port: ESTABLISHED, CLOSE_WAIT (the gateway's FIN
    arrived), ...; 'gone' when the kernel dropped the socket (a RST arrived); and under 'unread', how many
    hold received bytes that were not read (their response had started)."""
    table = {}
    for lp, rp, st, _, rxq in (socks if socks is not None else tcp_sockets()):
        if rp == server_port:
            table[lp] = (st, rxq)
    out = {"unread": 0}
    for lp in client_ports:
        st, rxq = table.get(lp, ("gone", 0))
        out[st] = out.get(st, 0) + 1
        out["unread"] += 1 if rxq else 0
    return out


# ---------------------------------------------------------------- HTTP clients

class Resp:
    def __init__(self):
        self.status = None      # int, or None when no status line arrived
        self.error = None       # str: timeout, reset, closed, ...
        self.elapsed = None
        self.head = b""
        self.body_len = 0

    def outcome(self):
        if self.status is not None:
            return str(self.status)
        return self.error or "no response"


def parse_head(head):
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return status, headers


def error_name(e):
    if isinstance(e, (asyncio.TimeoutError, TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, BrokenPipeError):
        return "broken pipe"
    if isinstance(e, asyncio.IncompleteReadError):
        return "closed" if not e.partial else "closed mid-head"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    return type(e).__name__


async def read_response(reader, method="GET"):
    """Reads one response (skipping 1xx); returns (status, headers, head, body_len)."""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        status, headers = parse_head(head)
        if status is None or status >= 200 or status == 101:
            break
    n = 0
    if method == "HEAD" or status in (204, 304) or (status is not None and status < 200):
        return status, headers, head, 0
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                break
            await reader.readexactly(size + 2)
            n += size
    elif "content-length" in headers:
        left = int(headers["content-length"])
        while left:
            got = await reader.read(min(left, 65536))
            if not got:
                raise asyncio.IncompleteReadError(b"", left)
            left -= len(got)
            n += len(got)
    else:
        while True:
            got = await reader.read(65536)
            if not got:
                break
            n += len(got)
    return status, headers, head, n


async def request(port, raw, timeout, keep=False, method="GET"):
    """One request on a new connection. keep=True returns (Resp, writer) with the connection left open."""
    r = Resp()
    t = time.monotonic()
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
            writer.write(raw)
            await writer.drain()
            r.status, _, r.head, r.body_len = await read_response(reader, method)
    except Exception as e:      # noqa: BLE001 - every failure is an outcome to count
        r.error = error_name(e)
    r.elapsed = time.monotonic() - t
    if keep and r.error is None:
        return r, writer
    if writer is not None:
        writer.close()
    return (r, None) if keep else r


def get(path, host="attack", extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode("latin-1")


def raw_exchange(port, data, timeout=5.0):
    """Blocking: send bytes on a new connection, read until close/timeout; returns (status, head bytes, error)."""
    buf = b""
    err = None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(data)
            end = time.monotonic() + timeout
            while b"\r\n\r\n" not in buf and time.monotonic() < end:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
    except Exception as e:      # noqa: BLE001
        err = error_name(e)
    head = buf.split(b"\r\n\r\n", 1)[0]
    status, _ = parse_head(head) if head else (None, {})
    return status, head, (None if status else (err or ("closed" if not buf else "garbled")))


# ---------------------------------------------------------------- numbers and tables

def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def latency_summary(values):
    if not values:
        return "-"
    return f"p50 {ms(pct(values, 50))} / p90 {ms(pct(values, 90))} / max {ms(max(values))} ms"


def counts(items):
    out = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


def mb(kb):
    return f"{kb / 1024:.1f}"


def table(headers, rows):
    rows = [[str(c) for c in r] for r in rows]
    w = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    def line(cells):
        return "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(cells)) + " |"
    return "\n".join([line(headers), "|" + "|".join("-" * (x + 2) for x in w) + "|"] + [line(r) for r in rows])


def compare_table(results, first="figure"):
    """results: {gateway: [(figure, value), ...]} -> one row per figure, one column per gateway."""
    names = list(results)
    order = []
    for g in names:
        for k, _ in results[g]:
            if k not in order:
                order.append(k)
    vals = {g: dict(results[g]) for g in names}
    return table([first] + names, [[k] + [vals[g].get(k, "-") for g in names] for k in order])


def gateway_health(gw, cpu0):
    """The figures every scenario ends with: alive?, CPU used, log lines that look like trouble."""
    probs = gw.log_problems()
    out = [("gateway alive at end", "yes" if gw.alive() else f"NO (exit {gw.exit_code()})"),
           ("gateway CPU s during scenario", f"{gw.cpu_s() - cpu0:.1f}" if gw.alive() else "-"),
           ("gateway log: error/exception lines", str(len(probs)))]
    return out, [p if len(p) <= 700 else p[:700] + " ..." for p in probs[:5]]
