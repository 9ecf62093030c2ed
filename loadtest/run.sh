#!/usr/bin/env bash
# Load test: FastGate vs nginx in front of the same two sample upstreams.
#
# Layout on a 2-core box: the proxy under test gets core 0 to itself; the load generator and both
# upstreams share core 1. Every proxy listens on 127.0.0.1:8080 in turn.
#
# Environment: DURATION (s, default 15), CONNECTIONS (default 64), WARMUP (s, default 10),
#              ROUNDS (measured runs per proxy, median reported; default 1),
#              PROXIES (default "fastgate nginx"), PROXY_PORT (default 8080),
#              LOADGEN (wrk, hey or bombardier; default wrk, or hey when only hey is on PATH).
# Shared functions (processes, builds, proxy configs, /proc accounting, load tools): lib.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-10}
PROXIES=${PROXIES:-"fastgate nginx"}
ROUNDS=${ROUNDS:-1}
PROBE_SECONDS=3
PROBE_MAX=4
LISTEN=127.0.0.1:${PROXY_PORT:-8080}
URL=http://$LISTEN/
UPSTREAM_PORTS=(9001 9002)
PROXY_CPU=0
LOAD_CPU=1

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
lib_init fastgate-loadtest

# ---------------------------------------------------------------- prerequisites
pick_loadgen wrk hey
check_cpus
install_missing "$LOADGEN=$LOADGEN" nginx=nginx-light taskset=util-linux
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v dotnet >/dev/null || { log "dotnet SDK not found on PATH"; exit 1; }

if port_open "$LISTEN"; then
    log "$LISTEN is already in use; stop whatever listens there first"
    exit 1
fi

# ---------------------------------------------------------------- build and upstreams
build_upstream
[[ " $PROXIES " != *" fastgate "* ]] || build_fastgate
start_upstreams

# ---------------------------------------------------------------- one proxy
ROWS=()
NOTES=()
FASTGATE_RPS=""

fail_row() {
    ROWS+=("| $1 | failed: $2 | | | | | | |")
    log "$1: FAILED ($2)"
}

measure() {
    local name=$1 dir="$TMP/$1" pid
    mkdir -p "$dir"
    log "$name: starting (cpu $PROXY_CPU)"
    if ! "start_$name" "$dir" "$LISTEN"; then
        fail_row "$name" "$(cat "$dir/failure" 2>/dev/null || echo "could not start")"
        return
    fi
    pid=$PROXY_PID
    STARTED_PIDS+=("$pid")

    if ! wait_listening "$pid" "$LISTEN" 20; then
        tail -5 "$dir/proxy.log" "$dir/error.log" 2>/dev/null | sed 's/^/    /' >&2 || true
        if kill -0 "$pid" 2>/dev/null; then
            fail_row "$name" "not listening on $LISTEN after 20 s"
        else
            fail_row "$name" "exited at startup"
        fi
        stop_pid "$pid"
        return
    fi

    local status body
    status=$(curl -s -o "$dir/smoke.body" -w '%{http_code}' --max-time 5 "$URL" || true)
    body=$(cat "$dir/smoke.body" 2>/dev/null || true)
    if [[ $status != 200 || $body != "Hello, World!" ]]; then
        fail_row "$name" "GET / answered '${status:-nothing}' instead of 200 Hello, World!"
        stop_pid "$pid"
        return
    fi

    log "$name: warming up for ${WARMUP}s"
    run_load "$WARMUP" "$dir/warmup.txt"
    local prev="" probe stability="not stable after $PROBE_MAX probes of ${PROBE_SECONDS}s"
    for probe in $(seq "$PROBE_MAX"); do
        run_load "$PROBE_SECONDS" "$dir/probe-$probe.txt"
        if [[ -n $prev && $prev -gt 0 ]] && awk -v a="$prev" -v b="$RPS" 'BEGIN {d = (a - b) / a; exit !(d < 0.05 && d > -0.05)}'; then
            stability="stable after $probe probes ($prev, $RPS req/s)"
            break
        fi
        prev=$RPS
    done
    log "$name: $stability"

    kill -0 "$pid" 2>/dev/null || { fail_row "$name" "died during warm-up"; return; }

    local pids round before after rounds=() all_rps=() errors=0
    mapfile -t pids < <(proxy_pids "$pid")
    for round in $(seq "$ROUNDS"); do
        log "$name: measuring for ${DURATION}s with $CONNECTIONS connections (round $round/$ROUNDS)"
        before=$(cpu_snapshot "${pids[@]}")
        run_load "$DURATION" "$dir/measure-$round.txt"
        after=$(cpu_snapshot "${pids[@]}")
        kill -0 "$pid" 2>/dev/null || break
        # "rps p50 p99 cpu_us_per_req other_cpu0_% other_cpu1_%"
        rounds+=("$RPS $P50_MS $P99_MS $(cpu_figures "$before" "$after" "$REQUESTS")")
        all_rps+=("$RPS")
        errors=$((errors + ERRORS))
    done
    local rss_kb
    rss_kb=$(peak_rss_kb "${pids[@]}")

    if ! kill -0 "$pid" 2>/dev/null; then
        fail_row "$name" "died during the measured run"
        return
    fi
    stop_pid "$pid"

    local cpu_us other0 other1 rss_mb ratio
    read -r RPS P50_MS P99_MS cpu_us other0 other1 < <(printf '%s\n' "${rounds[@]}" | sort -n -k1,1 | sed -n "$(((ROUNDS + 1) / 2))p")
    if ((RPS == 0)); then
        fail_row "$name" "no requests completed"
        return
    fi
    rss_mb=$(awk -v kb="$rss_kb" 'BEGIN {printf "%.1f", kb / 1024}')
    [[ $name == fastgate ]] && FASTGATE_RPS=$RPS
    if [[ -n $FASTGATE_RPS ]]; then
        ratio=$(awk -v a="$RPS" -v b="$FASTGATE_RPS" 'BEGIN {printf "%.2f", a / b}')
    else
        ratio="n/a"
    fi
    ERRORS=$errors
    local rounds_note=""
    ((ROUNDS > 1)) && rounds_note=" Median of $ROUNDS rounds (req/s: ${all_rps[*]})."
    local busy
    busy=$(awk -v c="$cpu_us" -v r="$RPS" 'BEGIN {printf "%.0f", c * r / 1e4}')
    local busy_note="The proxy kept ${busy}% of cpu$PROXY_CPU busy"
    ((busy < 80)) && busy_note+=" (well below 100%: something other than the proxy limited the run)"
    NOTES+=("- $name: warm-up ${WARMUP}s, then $stability.$rounds_note $busy_note. CPU used by other processes during the (median) run: cpu$PROXY_CPU ${other0}%, cpu$LOAD_CPU ${other1}%.")
    ROWS+=("| $name | $RPS | $P50_MS | $P99_MS | $cpu_us | $rss_mb | $ratio | $ERRORS |")
    log "$name: $RPS req/s, p50 ${P50_MS} ms, p99 ${P99_MS} ms, ${cpu_us} µs CPU/req, peak RSS ${rss_mb} MB, errors $ERRORS"
}

for proxy in $PROXIES; do
    measure "$proxy"
done

# ---------------------------------------------------------------- report
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$ROOT/loadtest/results"
REPORT=$ROOT/loadtest/results/$STAMP.md
{
    echo "# FastGate load test, $STAMP"
    echo
    echo "\`$(load_command "$DURATION")\` (cpu $LOAD_CPU, with both upstreams); proxy alone on cpu $PROXY_CPU; $ROUNDS measured round(s) per proxy, median by req/s."
    echo
    echo "| proxy | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MB | req/s vs FastGate | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    printf '%s\n' "${NOTES[@]}"
    echo
    echo "Machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)."
    echo "Tools: $(loadgen_version), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), .NET SDK $(dotnet --version)."
} >"$REPORT"

echo
cat "$REPORT"
echo
log "saved $REPORT"
