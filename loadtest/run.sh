#!/usr/bin/env bash
# Load test: FastGate vs nginx in front of the same two sample upstreams.
#
# Layout on a 2-core box: the proxy under test gets core 0 to itself; the load generator and both
# upstreams share core 1. Every proxy listens on 127.0.0.1:8080 in turn.
#
# Environment: DURATION (s, default 15), CONNECTIONS (default 64), WARMUP (s, default 10),
#              ROUNDS (measured runs per proxy, median reported; default 1),
#              PROXIES (default "fastgate nginx"), PROXY_PORT (default 8080),
#              LOADGEN (wrk or hey; default wrk, or hey when only hey is on PATH).
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

UPSTREAM_DLL=$ROOT/loadtest/FastGate.SampleUpstream/bin/Release/net10.0/sample-upstream.dll
GATEWAY_DLL=$ROOT/src/FastGate.Host/bin/Release/net10.0/fastgate.dll

log() { echo "[loadtest] $*" >&2; }

# ---------------------------------------------------------------- processes and cleanup
TMP=$(mktemp -d /tmp/fastgate-loadtest.XXXXXX)
STARTED_PIDS=()
UPSTREAM_PIDS=()
CLK_TCK=$(getconf CLK_TCK)

stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    [[ -z ${LOAD_PID:-} ]] || stop_pid "$LOAD_PID"
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }

# wait_listening PID HOST:PORT SECONDS — succeeds once the port accepts; fails if PID dies first.
wait_listening() {
    local pid=$1 addr=$2 tries=$(($3 * 10))
    for _ in $(seq "$tries"); do
        port_open "$addr" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------- prerequisites
LOADGEN=${LOADGEN:-}
if [[ -z $LOADGEN ]]; then
    LOADGEN=wrk
    command -v wrk >/dev/null || ! command -v hey >/dev/null || LOADGEN=hey
fi
[[ $LOADGEN == wrk || $LOADGEN == hey ]] || { log "LOADGEN must be wrk or hey"; exit 1; }

install_missing() {
    local pkgs=()
    command -v "$LOADGEN" >/dev/null || pkgs+=("$LOADGEN")
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || pkgs+=(nginx-light)
    command -v taskset >/dev/null || pkgs+=(util-linux)
    ((${#pkgs[@]} == 0)) && return 0

    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    log "installing ${pkgs[*]} with apt-get"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

install_missing
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v dotnet >/dev/null || { log "dotnet SDK not found on PATH"; exit 1; }
if (($(getconf _NPROCESSORS_ONLN) < 2)); then
    log "only one CPU: proxy, upstreams and load generator will share it"
    LOAD_CPU=0
fi

if port_open "$LISTEN"; then
    log "$LISTEN is already in use; stop whatever listens there first"
    exit 1
fi
for port in "${UPSTREAM_PORTS[@]}"; do
    if port_open "127.0.0.1:$port"; then
        log "127.0.0.1:$port is already in use"
        exit 1
    fi
done

# ---------------------------------------------------------------- build
log "building sample upstream (Release)"
dotnet build "$ROOT/loadtest/FastGate.SampleUpstream" -c Release -nologo -v quiet >"$TMP/build-upstream.log" 2>&1 \
    || { cat "$TMP/build-upstream.log" >&2; log "sample upstream build failed"; exit 1; }

GATEWAY_BUILD_ERROR=""
if [[ " $PROXIES " == *" fastgate "* ]]; then
    log "building FastGate (Release)"
fi
if [[ " $PROXIES " == *" fastgate "* ]] && ! dotnet build "$ROOT/src/FastGate.Host" -c Release -nologo -v quiet >"$TMP/build-gateway.log" 2>&1; then
    GATEWAY_BUILD_ERROR="build failed"
    grep -E ": error " "$TMP/build-gateway.log" | sort -u | head -5 >&2 || true
    log "FastGate build failed; its row will be reported as failed"
fi

# ---------------------------------------------------------------- upstreams
for port in "${UPSTREAM_PORTS[@]}"; do
    taskset -c "$LOAD_CPU" dotnet "$UPSTREAM_DLL" --host 127.0.0.1 --port "$port" >"$TMP/upstream-$port.log" 2>&1 &
    STARTED_PIDS+=($!)
    UPSTREAM_PIDS+=($!)
    wait_listening "$!" "127.0.0.1:$port" 15 || { cat "$TMP/upstream-$port.log" >&2; log "upstream $port did not start"; exit 1; }
done
log "sample upstreams on ${UPSTREAM_PORTS[*]} (cpu $LOAD_CPU)"

# ---------------------------------------------------------------- proxies
# start_<proxy> DIR: starts the proxy pinned to PROXY_CPU in the background and sets PROXY_PID,
# or writes a reason to DIR/failure and returns 1.

start_fastgate() {
    local dir=$1
    if [[ -n $GATEWAY_BUILD_ERROR ]]; then
        echo "$GATEWAY_BUILD_ERROR" >"$dir/failure"
        return 1
    fi
    cat >"$dir/fastgate.toml" <<EOF
[server]
listen = ["$LISTEN"]

[limits]
header_timeout = "10s"

[clusters.backend]
destinations = ["127.0.0.1:${UPSTREAM_PORTS[0]}", "127.0.0.1:${UPSTREAM_PORTS[1]}"]
balancer = "round_robin"

[routes.all]
path = "/{**rest}"
cluster = "backend"
EOF
    taskset -c "$PROXY_CPU" dotnet "$GATEWAY_DLL" --config "$dir/fastgate.toml" >"$dir/proxy.log" 2>&1 &
    PROXY_PID=$!
}

start_nginx() {
    local dir=$1
    mkdir -p "$dir/temp"
    # Started as root, nginx's worker runs as nobody and must reach its temp paths.
    chmod 755 "$TMP" "$dir"
    # keepalive_requests is raised from nginx's default of 1000 so the run measures steady-state
    # keep-alive rather than nginx closing each connection every 1000 requests.
    cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    client_body_temp_path $dir/temp/client_body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    keepalive_requests 1000000;

    upstream backend {
        server 127.0.0.1:${UPSTREAM_PORTS[0]};
        server 127.0.0.1:${UPSTREAM_PORTS[1]};
        keepalive 64;
        keepalive_requests 1000000;
    }

    server {
        listen $LISTEN;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
    taskset -c "$PROXY_CPU" "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off;" \
        >"$dir/proxy.log" 2>&1 &
    PROXY_PID=$!
}

# The proxy's processes: the main PID and its children (nginx's worker runs under the master).
proxy_pids() {
    echo "$1"
    pgrep -P "$1" || true
}

# Sum of utime+stime in clock ticks over the given PIDs (fields 14 and 15 of /proc/PID/stat;
# the comm field may contain spaces, so cut everything up to the last ')').
cpu_ticks() {
    local pid total=0 stat
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        read -r -a f <<<"$stat"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# Busy ticks (user+nice+system) of one core from /proc/stat. Interrupt and softirq time is left
# out: loopback networking lands there and is not "other load".
core_busy() {
    awk -v cpu="cpu$1" '$1 == cpu {print $2 + $3 + $4}' /proc/stat
}

# A point-in-time reading: wall ns, proxy ticks, upstream ticks, reaped-children ticks of this shell
# (wrk, once waited for), busy ticks of the proxy core and of the load core.
cpu_snapshot() {
    local self
    self=$(cat "/proc/$$/stat")
    self=${self##*) }
    read -r -a f <<<"$self"
    echo "$(date +%s%N) $(cpu_ticks "$@") $(cpu_ticks "${UPSTREAM_PIDS[@]}") $((f[13] + f[14])) $(core_busy "$PROXY_CPU") $(core_busy "$LOAD_CPU")"
}

# cpu_figures BEFORE AFTER REQUESTS -> "cpu_us_per_request other_load_proxy_core_% other_load_load_core_%"
# "Other" is what the core spent on processes that are not part of this test (e.g. a build).
cpu_figures() {
    awk -v hz="$CLK_TCK" -v n="$3" -v a="$1" -v b="$2" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        wall = (y[1] - x[1]) / 1e9 * hz
        proxy = y[2] - x[2]; up = y[3] - x[3]; self = y[4] - x[4]
        o0 = (y[5] - x[5] - proxy) / wall * 100
        o1 = (y[6] - x[6] - up - self) / wall * 100
        printf "%.1f %.0f %.0f", (n > 0 ? proxy / hz * 1e6 / n : 0), (o0 < 0 ? 0 : o0), (o1 < 0 ? 0 : o1)
    }'
}

# Sum of VmHWM (kB) over the given PIDs.
peak_rss_kb() {
    local pid total=0 kb
    for pid in "$@"; do
        kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

# ---------------------------------------------------------------- load generator
# run_load SECONDS OUTFILE — sets RPS, REQUESTS, P50_MS, P99_MS, ERRORS.
run_load() { "run_$LOADGEN" "$@"; }

# The load generator runs in the background so INT/TERM reach our trap at once (bash defers traps
# while a foreground child runs); cleanup stops it through LOAD_PID.
LOAD_PID=""
wait_load() {
    LOAD_PID=$1
    wait "$LOAD_PID" || true
    LOAD_PID=""
}

load_command() {
    case $LOADGEN in
        wrk) echo "wrk -t1 -c$CONNECTIONS -d${1}s --latency $URL" ;;
        hey) echo "hey -z ${1}s -c $CONNECTIONS $URL" ;;
    esac
}

loadgen_version() {
    case $LOADGEN in
        wrk) { wrk -v 2>&1 || true; } | awk 'NR == 1 {print $1, $2}' ;;
        hey) echo hey ;;
    esac
}

run_wrk() {
    local seconds=$1 out=$2
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency "$URL" >"$out" 2>&1 &
    wait_load $!
    RPS=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$out")
    REQUESTS=$(awk '/ requests in / {print $1}' "$out")
    P50_MS=$(latency_ms 50% "$out")
    P99_MS=$(latency_ms 99% "$out")
    ERRORS=$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
                  /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
                  END {print n + 0}' "$out")
    RPS=${RPS:-0}
    REQUESTS=${REQUESTS:-0}
}

run_hey() {
    local seconds=$1 out=$2
    taskset -c "$LOAD_CPU" hey -z "${seconds}s" -c "$CONNECTIONS" "$URL" >"$out" 2>&1 &
    wait_load $!
    RPS=$(awk '/Requests\/sec:/ {printf "%d", $2}' "$out")
    REQUESTS=$(awk '/^ *\[[0-9]+\]/ && / responses$/ {n += $2} END {print n + 0}' "$out")
    P50_MS=$(awk '$1 == "50%" {printf "%.2f", $3 * 1000}' "$out")
    P99_MS=$(awk '$1 == "99%" {printf "%.2f", $3 * 1000}' "$out")
    ERRORS=$(awk '/^Status code distribution:/ {s = 1; next}
                  /^Error distribution:/ {s = 0; e = 1; next}
                  s && /^ *\[[0-9]+\]/ {code = $1; gsub(/[][]/, "", code); if (code + 0 >= 400) n += $2}
                  e && /^ *\[[0-9]+\]/ {c = $1; gsub(/[][]/, "", c); n += c}
                  END {print n + 0}' "$out")
    RPS=${RPS:-0}
}

# wrk prints latencies as e.g. 667.00us, 1.23ms, 1.01s
latency_ms() {
    awk -v pct="$1" '$1 == pct {
        v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
        if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
        printf "%.2f", v }' "$2"
}

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
    if ! "start_$name" "$dir"; then
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
