#!/usr/bin/env python3
"""Runs attack scenarios against FastGate and nginx and prints one comparison per scenario.

    attacks.py --fastgate BIN --nginx BIN [--gateways fastgate,nginx] [--out FILE] [scenario...]

Normally started by run.sh (which builds FastGate and raises the fd limit). Each scenario module has
NAME, TITLE, run(env, kind) -> {"figures": [(name, value)], "details": [(title, text)]} and optionally
report(results). Each gateway gets a fresh upstream and gateway; everything is stopped after it.
"""
import argparse
import datetime
import importlib
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

SCENARIOS = {
    "stuck-readers": "stuck_readers",
    "slow-body": "slow_body",
    "early-413": "early_413",
    "idle": "idle",
    "path-probes": "path_probes",
    "host-probes": "host_probes",
}


def default_report(mod, results):
    figures = {}
    for kind, r in results.items():
        figures[kind] = r["figures"] if "figures" in r else [("FAILED", r["error"].strip().splitlines()[-1])]
    out = [lib.compare_table(figures)]
    for kind, r in results.items():
        if "error" in r:
            out.append(f"\n{kind} failed:\n{r['error']}")
        for title, text in r.get("details", []):
            out.append(f"\n{kind}: {title}\n{text}")
    return "\n".join(out)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Linux {platform.release()}"


def versions(args):
    def run(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    root = os.path.dirname(os.path.dirname(lib.HERE))
    rev = run(["git", "-C", root, "log", "-1", "--format=%h %s"])
    return [f"FastGate: {args.fastgate} (built from {rev})", f"nginx: {run([args.nginx, '-v'])}",
            f"Python {platform.python_version()}, curl {run(['curl', '--version']).split()[1]}"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fastgate", required=True)
    ap.add_argument("--nginx", required=True)
    ap.add_argument("--gateways", default=os.environ.get("GATEWAYS", "fastgate,nginx"))
    ap.add_argument("--base-port", type=int, default=int(os.environ.get("BASE_PORT", "31000")))
    ap.add_argument("--out")
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()
    names = args.scenarios or list(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            sys.exit(f"unknown scenario {n!r}; choose from: {' '.join(SCENARIOS)}")
    gateways = [g for g in args.gateways.replace(",", " ").split() if g]

    tmp = tempfile.mkdtemp(prefix="fastgate-attacks.")
    os.chmod(tmp, 0o755)
    env = lib.Env(tmp, args.fastgate, args.nginx, args.base_port)
    out = open(args.out, "w") if args.out else None

    def emit(text):
        print(text, flush=True)
        if out:
            out.write(text + "\n")
            out.flush()

    try:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        emit(f"# FastGate attack harness, {stamp}\n")
        emit(f"Command: loadtest/attacks/run.sh {' '.join(args.scenarios)}".rstrip())
        emit(f"Machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
        for v in versions(args):
            emit(v)
        emit(f"Open files limit: {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}; ports: gateways "
             f"{env.gw_port}, upstreams {env.up_ports}")
        for name in names:
            mod = importlib.import_module(SCENARIOS[name])
            results = {}
            for kind in gateways:
                lib.log(f"{name}: {kind}")
                try:
                    results[kind] = mod.run(env, kind)
                except Exception:      # noqa: BLE001 - a failed scenario is reported, the rest goes on
                    results[kind] = {"error": traceback.format_exc()}
                    lib.log(f"{name}: {kind} FAILED")
                finally:
                    lib.stop_all()
            report = mod.report(results) if hasattr(mod, "report") else default_report(mod, results)
            emit(f"\n## {name}: {mod.TITLE}\n\n{report}")
    finally:
        lib.stop_all()
        if out:
            out.close()
        if os.environ.get("KEEP_TMP"):
            lib.log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
