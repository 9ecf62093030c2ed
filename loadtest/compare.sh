#!/usr/bin/env bash
# Peer benchmark: FastGate vs nginx, HAProxy and YARP in front of the same two sample upstreams.
#
# All peers run at once, each on its own port, pinned to core 0 (an idle peer costs next to nothing);
# the load generator and both upstreams share core 1. Each peer is warmed up until its throughput is
# steady, then ROUNDS rounds measure every peer once, the order rotating each round.
#
# Environment (defaults in brackets):
#   DURATION [15]        seconds per measured run
#   ROUNDS [3]           measured runs per peer; medians are reported
#   CONNECTIONS [64]     connections of the load generator
#   PEERS ["fastgate nginx haproxy yarp"]
#   LOADGEN              bombardier when the Go HTTP bombardier is on PATH, else wrk (hey also works)
#   PROBE_SECONDS [5]    length of one warm-up probe
#   WARMUP_MAX [90]      cap on warm-up probe seconds per peer
#   WARMUP_TOLERANCE [3] warm-up ends when the last 3 probes are within this many % of each other
#   UPSTREAM_WARMUP [15] seconds of direct load on each sample upstream before any proxy starts
#   STARTUP_SECONDS [20] FastGate start-up trace: this many 1 s probes right after it accepts
#   PRE_SECONDS [3]      unrecorded load just before each measured run (pools refilled after idling)
#   BASE_PORT [8081]     peers listen on BASE_PORT, BASE_PORT+1, ... in PEERS order
#   UPSTREAM_PORTS ["9011 9012"]
# Shared functions (processes, builds, proxy configs, /proc accounting, load tools): lib.sh.
set -euo pipefail

COMMAND_VARS=(DURATION ROUNDS CONNECTIONS PEERS LOADGEN PROBE_SECONDS WARMUP_MAX WARMUP_TOLERANCE UPSTREAM_WARMUP
    STARTUP_SECONDS PRE_SECONDS BASE_PORT UPSTREAM_PORTS)
EXACT_COMMAND=""
for v in "${COMMAND_VARS[@]}"; do
    [[ -z ${!v+x} ]] || EXACT_COMMAND+="$v=$(printf '%q' "${!v}") "
done
EXACT_COMMAND+="loadtest/compare.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
PEERS=${PEERS:-"fastgate nginx haproxy yarp"}
PROBE_SECONDS=${PROBE_SECONDS:-5}
WARMUP_MAX=${WARMUP_MAX:-90}
WARMUP_TOLERANCE=${WARMUP_TOLERANCE:-3}
UPSTREAM_WARMUP=${UPSTREAM_WARMUP:-15}
STARTUP_SECONDS=${STARTUP_SECONDS:-20}
PRE_SECONDS=${PRE_SECONDS:-3}
BASE_PORT=${BASE_PORT:-8081}
read -r -a UPSTREAM_PORTS <<<"${UPSTREAM_PORTS:-9011 9012}"
PROXY_CPU=0
LOAD_CPU=1
LOG_TAG=compare

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
lib_init fastgate-compare

for peer in $PEERS; do
    [[ $peer =~ ^(fastgate|nginx|haproxy|yarp)$ ]] || { log "unknown peer '$peer' (fastgate nginx haproxy yarp)"; exit 1; }
done

# ---------------------------------------------------------------- prerequisites
pick_loadgen bombardier wrk
check_cpus
install_missing "$LOADGEN=$LOADGEN" nginx=nginx-light haproxy=haproxy taskset=util-linux curl=curl
command -v dotnet >/dev/null || { log "dotnet SDK not found on PATH"; exit 1; }

# ---------------------------------------------------------------- builds and upstreams
build_upstream
[[ " $PEERS " != *" fastgate "* ]] || build_fastgate
[[ " $PEERS " != *" yarp "* ]] || build_yarp
start_upstreams
warm_upstreams "$UPSTREAM_WARMUP"

# ---------------------------------------------------------------- start and warm up each peer
declare -A PORT FAILED MAIN_PID RSS_PIDS WARM_TRACE WARM_NOTE
OWN_PROXY_PIDS=()
STARTUP_TRACE=()      # "seconds_since_start req/s" per 1 s probe (FastGate)
STARTUP_LISTEN_MS=""  # FastGate: process start -> accepting, ms
ALIVE=()

fail_peer() {
    FAILED[$1]=$2
    log "$1: FAILED ($2)"
    [[ -z ${MAIN_PID[$1]:-} ]] || stop_pid "${MAIN_PID[$1]}"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stable_within TOLERANCE_% VALUES...: the values are within TOLERANCE % of their maximum.
stable_within() {
    local tol=$1
    shift
    printf '%s\n' "$@" | awk -v tol="$tol" 'NR == 1 {lo = hi = $1} {if ($1 < lo) lo = $1; if ($1 > hi) hi = $1}
        END {exit !(hi > 0 && (hi - lo) / hi * 100 <= tol)}'
}

start_peer() {
    local name=$1 port=$2 dir="$TMP/$1" pid listen url t0
    listen=127.0.0.1:$port
    url=http://$listen/
    mkdir -p "$dir"
    PORT[$name]=$port
    if port_open "$listen"; then
        fail_peer "$name" "$listen already in use"
        return
    fi
    log "$name: starting on $listen (cpu $PROXY_CPU)"
    t0=$(now_ms)
    if ! "start_$name" "$dir" "$listen"; then
        fail_peer "$name" "$(cat "$dir/failure" 2>/dev/null || echo "could not start")"
        return
    fi
    pid=$PROXY_PID
    STARTED_PIDS+=("$pid")
    MAIN_PID[$name]=$pid
    if ! wait_listening "$pid" "$listen" 30; then
        local last
        last=$(cat "$dir/proxy.log" "$dir/error.log" 2>/dev/null | grep -v '^\s*$' | tail -1 | tr -d '|`' || true)
        if kill -0 "$pid" 2>/dev/null; then
            fail_peer "$name" "not listening on $listen after 30 s${last:+ (last log line: $last)}"
        else
            fail_peer "$name" "exited at startup${last:+ (last log line: $last)}"
        fi
        return
    fi
    local listening_ms=$(($(now_ms) - t0)) why
    if ! why=$(smoke_test "$url"); then
        fail_peer "$name" "$why"
        return
    fi

    # FastGate's start-up trace: 1 s probes straight after it accepts.
    if [[ $name == fastgate ]]; then
        STARTUP_LISTEN_MS=$listening_ms
        local s
        log "$name: start-up trace, ${STARTUP_SECONDS} probes of 1 s (accepting after ${listening_ms} ms)"
        for s in $(seq "$STARTUP_SECONDS"); do
            run_load 1 "$dir/startup-$s.txt" "$url"
            STARTUP_TRACE+=("$(awk -v ms="$(($(now_ms) - t0))" 'BEGIN {printf "%.1f", ms / 1000}') $RPS")
        done
    fi

    # Warm-up: PROBE_SECONDS probes until the last 3 agree within WARMUP_TOLERANCE %, or WARMUP_MAX.
    local probes=() trace="" n=0 spent=0 note
    note="not stable within ${WARMUP_MAX} s (cap)"
    while ((spent < WARMUP_MAX)); do
        n=$((n + 1))
        run_load "$PROBE_SECONDS" "$dir/warm-$n.txt" "$url"
        spent=$((spent + PROBE_SECONDS))
        probes+=("$RPS")
        trace+="$n:$RPS "
        log "$name: warm-up probe $n: $RPS req/s"
        if ((n >= 3)) && stable_within "$WARMUP_TOLERANCE" "${probes[@]: -3}"; then
            note="stable after $n probes ($spent s)"
            break
        fi
    done
    kill -0 "$pid" 2>/dev/null || { fail_peer "$name" "died during warm-up"; return; }
    WARM_TRACE[$name]=$trace
    WARM_NOTE[$name]=$note
    log "$name: $note"

    local pids
    mapfile -t pids < <(proxy_pids "$pid")
    OWN_PROXY_PIDS+=("${pids[@]}")
    if [[ $name == nginx ]]; then
        RSS_PIDS[$name]=$(pgrep -P "$pid" | tr '\n' ' ')   # the worker
    else
        RSS_PIDS[$name]=${pids[*]}
    fi
    ALIVE+=("$name")
}

i=0
for peer in $PEERS; do
    start_peer "$peer" $((BASE_PORT + i))
    i=$((i + 1))
done

# ---------------------------------------------------------------- rotated rounds
declare -A RUNS ERRS ROUND_CPU
ROUND_DATA=()   # "round peer rps p50 p99 cpu user sys busy other0 other1 errors" per measured run
BUSY_RUNS=()
TOTAL_RUNS=0
for round in $(seq "$ROUNDS"); do
    n=${#ALIVE[@]}
    ((n > 0)) || break
    order=()
    for ((k = 0; k < n; k++)); do order+=("${ALIVE[$(((k + round - 1) % n))]}"); done
    log "round $round/$ROUNDS: ${order[*]}"
    for name in "${order[@]}"; do
        [[ -z ${FAILED[$name]:-} ]] || continue
        pid=${MAIN_PID[$name]}
        url=http://127.0.0.1:${PORT[$name]}/
        kill -0 "$pid" 2>/dev/null || { fail_peer "$name" "died before round $round"; continue; }
        mapfile -t pids < <(proxy_pids "$pid")
        run_load "$PRE_SECONDS" "$TMP/$name/pre-$round.txt" "$url"
        before=$(cpu_snapshot "${pids[@]}")
        run_load "$DURATION" "$TMP/$name/measure-$round.txt" "$url"
        after=$(cpu_snapshot "${pids[@]}")
        kill -0 "$pid" 2>/dev/null || { fail_peer "$name" "died during round $round"; continue; }
        read -r cpu_us other0 other1 < <(cpu_figures "$before" "$after" "$REQUESTS")
        read -r user_us sys_us < <(cpu_split_figures "$before" "$after" "$REQUESTS")
        busy=$(awk -v c="$cpu_us" -v r="$RPS" 'BEGIN {printf "%.0f", c * r / 1e4}')
        # columns 1-7 as before; 8 and 9: user and system µs/req
        RUNS[$name]+="$RPS $P50_MS $P99_MS $cpu_us $other0 $other1 $busy $user_us $sys_us"$'\n'
        ERRS[$name]=$((${ERRS[$name]:-0} + ERRORS))
        ROUND_CPU["$round $name"]=$cpu_us
        ROUND_DATA+=("$round $name $RPS $P50_MS $P99_MS $cpu_us $user_us $sys_us $busy $other0 $other1 $ERRORS")
        TOTAL_RUNS=$((TOTAL_RUNS + 1))
        ((other0 <= 10 && other1 <= 10)) || BUSY_RUNS+=("round $round $name ($other0 % / $other1 %)")
        log "$name: round $round: $RPS req/s, p50 $P50_MS ms, p99 $P99_MS ms, $cpu_us µs CPU/req ($user_us user + $sys_us sys), core $busy% busy, other load cpu0 $other0% cpu1 $other1%, errors $ERRORS"
    done
done

# Peak RSS now (VmHWM: the most since start), then stop the peers.
declare -A RSS_MB
for name in "${ALIVE[@]}"; do
    [[ -z ${FAILED[$name]:-} ]] || continue
    # shellcheck disable=SC2086
    RSS_MB[$name]=$(awk -v kb="$(peak_rss_kb ${RSS_PIDS[$name]})" 'BEGIN {printf "%.1f", kb / 1024}')
    stop_pid "${MAIN_PID[$name]}"
done

# ---------------------------------------------------------------- summary
# median COLUMN <<< runs
median() { awk -v c="$1" 'NF {print $c}' | sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print 0}'; }

# cpu_ratio A B: A ÷ B to two decimals, n/a when either is missing or B is 0.
cpu_ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "" && b + 0 > 0) printf "%.2f", a / b; else print "n/a"}'; }

declare -A MED_RPS MED_P50 MED_P99 MED_CPU MED_USER MED_SYS
for peer in $PEERS; do
    [[ -z ${FAILED[$peer]:-} && -n ${RUNS[$peer]:-} ]] || continue
    MED_RPS[$peer]=$(median 1 <<<"${RUNS[$peer]}")
    MED_P50[$peer]=$(median 2 <<<"${RUNS[$peer]}")
    MED_P99[$peer]=$(median 3 <<<"${RUNS[$peer]}")
    MED_CPU[$peer]=$(median 4 <<<"${RUNS[$peer]}")
    MED_USER[$peer]=$(median 8 <<<"${RUNS[$peer]}")
    MED_SYS[$peer]=$(median 9 <<<"${RUNS[$peer]}")
done
FG_RPS=${MED_RPS[fastgate]:-}
FG_CPU=${MED_CPU[fastgate]:-}
NGINX_CPU=${MED_CPU[nginx]:-}

ROWS=()
CHART_DATA=""
for peer in $PEERS; do
    if [[ -n ${FAILED[$peer]:-} || -z ${MED_RPS[$peer]:-} ]]; then
        ROWS+=("| $peer | failed: ${FAILED[$peer]:-no measured run} | | | | | | | | | | |")
        continue
    fi
    rps=${MED_RPS[$peer]} cpu=${MED_CPU[$peer]}
    ratio=n/a cpu_ratio=n/a
    if [[ -n $FG_RPS ]] && ((FG_RPS > 0)); then
        ratio=$(awk -v a="$rps" -v b="$FG_RPS" 'BEGIN {printf "%.2f", a / b}')
        cpu_ratio=$(awk -v a="$FG_CPU" -v b="$cpu" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')
    fi
    vs_nginx=$(cpu_ratio "$cpu" "$NGINX_CPU")
    runs=$(awk 'NF' <<<"${RUNS[$peer]}" | wc -l)
    ROWS+=("| $peer | $rps | ${MED_P50[$peer]} | ${MED_P99[$peer]} | $cpu | ${MED_USER[$peer]} | ${MED_SYS[$peer]} | ${RSS_MB[$peer]} | $ratio | $cpu_ratio | $vs_nginx | ${ERRS[$peer]:-0} ($runs/$ROUNDS runs) |")
    CHART_DATA+="$peer $rps $cpu"$'\n'
done

# Every run, with FastGate's CPU/req ÷ this peer's in the same round (blank in FastGate's own rows).
ROUND_ROWS=()
for entry in "${ROUND_DATA[@]}"; do
    read -r r name rps p50 p99 cpu user sys busy other0 other1 errors <<<"$entry"
    same_round=""
    [[ $name == fastgate ]] || same_round=$(cpu_ratio "${ROUND_CPU["$r fastgate"]:-}" "$cpu")
    ROUND_ROWS+=("| $r | $name | $rps | $p50 | $p99 | $cpu | $user | $sys | $same_round | $busy | $other0 / $other1 | $errors |")
done
# "FastGate CPU/req ÷ nginx's, round by round: 1: 0.84, 2: 0.86" (and HAProxy's), for quoting.
ROUND_RATIO_LINES=()
for peer in nginx haproxy; do
    [[ " $PEERS " == *" $peer "* && " $PEERS " == *" fastgate "* ]] || continue
    line=""
    for r in $(seq "$ROUNDS"); do
        line+="${line:+, }$r: $(cpu_ratio "${ROUND_CPU["$r fastgate"]:-}" "${ROUND_CPU["$r $peer"]:-}")"
    done
    label=$peer
    [[ $peer != haproxy ]] || label=HAProxy
    ROUND_RATIO_LINES+=("- FastGate CPU/req ÷ $label's, round by round: $line")
done

# FastGate start-up: first probe at or above 90 % of its measured (median) req/s.
STARTUP_NOTE="not traced"
if ((${#STARTUP_TRACE[@]} > 0)); then
    if [[ -n $FG_RPS ]]; then
        STARTUP_NOTE=$(printf '%s\n' "${STARTUP_TRACE[@]}" | awk -v steady="$FG_RPS" -v n="$STARTUP_SECONDS" '
            $2 >= 0.9 * steady && !hit {hit = $1; r = $2}
            {if ($2 > best) best = $2}
            END {if (hit) printf "%s s after process start (%d req/s ≥ 90%% of the steady %d)", hit, r, steady
                 else printf "not within its %d probes (best %d req/s; steady %d)", n, best, steady}')
    else
        STARTUP_NOTE="no steady value (FastGate not measured)"
    fi
fi

# ---------------------------------------------------------------- chart (SVG, awk only)
write_svg() {
    awk -v title="$1" 'NF {n++; name[n] = $1; rps[n] = $2; cpu[n] = $3; if ($2 > mr) mr = $2; if ($3 > mc) mc = $3}
    function panel(y0, label, unit, vals, max, color,   i, w, y) {
        printf "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y0 + 16, label
        for (i = 1; i <= n; i++) {
            y = y0 + 26 + (i - 1) * 28
            w = (max > 0 ? vals[i] / max * 420 : 0)
            printf "<text x=\"90\" y=\"%d\" text-anchor=\"end\">%s</text>\n", y + 15, name[i]
            printf "<rect x=\"100\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>\n", y, w, (name[i] == "fastgate" ? "#d9480f" : color)
            printf "<text x=\"%.1f\" y=\"%d\">%s %s</text>\n", 106 + w, y + 15, vals[i], unit
        }
        return y0 + 26 + n * 28 + 10
    }
    END {
        h = 2 * (26 + n * 28 + 10) + 40
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" font-family=\"sans-serif\" font-size=\"13\">\n", h
        printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        printf "<text x=\"10\" y=\"20\" font-size=\"15\">%s</text>\n", title
        y = panel(30, "Requests per second (higher is better)", "req/s", rps, mr, "#1c7ed6")
        panel(y, "Proxy CPU per request (lower is better)", "µs", cpu, mc, "#868e96")
        print "</svg>"
    }'
}

# ---------------------------------------------------------------- report
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$ROOT/loadtest/results"
REPORT=$ROOT/loadtest/results/compare-$STAMP.md
SVG=compare-$STAMP.svg
write_svg "FastGate and peers, $STAMP, $LOADGEN -c$CONNECTIONS, ${DURATION}s x $ROUNDS" <<<"$CHART_DATA" >"$ROOT/loadtest/results/$SVG"

tool_versions() {
    local v=()
    v+=("$(loadgen_version)")
    [[ " $PEERS " != *" nginx "* ]] || v+=("$({ nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1; } | sed 's/^nginx version: //')")
    [[ " $PEERS " != *" haproxy "* ]] || v+=("HAProxy $(haproxy -v 2>/dev/null | awk 'NR == 1 {print $3}')")
    [[ " $PEERS " != *" yarp "* ]] || v+=("Yarp.ReverseProxy $(sed -n 's/.*"Yarp.ReverseProxy" Version="\([^"]*\)".*/\1/p' "$YARP_DIR/YarpPeer.csproj")")
    v+=(".NET SDK $(dotnet --version)")
    local IFS=,
    echo "${v[*]}" | sed 's/,/, /g'
}

{
    echo "# FastGate vs peers, $STAMP"
    echo
    echo "Command: \`$EXACT_COMMAND\`"
    echo
    echo "Load: \`taskset -c $LOAD_CPU $(load_command "$DURATION" "http://127.0.0.1:PORT/")\` against each peer; the 13-byte \`Hello, World!\` from two sample upstreams (ports ${UPSTREAM_PORTS[*]}, cpu $LOAD_CPU, with the load generator); every peer pinned to cpu $PROXY_CPU. $ROUNDS rounds, the order rotating each round; each measured run follows ${PRE_SECONDS} s of unrecorded load. Medians over the rounds, each column on its own."
    echo
    echo "| peer | req/s | p50 ms | p99 ms | CPU µs/req | user µs/req | sys µs/req | peak RSS MB | req/s vs FastGate | FastGate CPU/req ÷ peer's | CPU/req vs nginx | errors (runs) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    if ((${#BUSY_RUNS[@]} > 0)); then
        echo "**Busy machine**: in ${#BUSY_RUNS[@]} of $TOTAL_RUNS runs, processes not started by this script took more than 10 % of a core (cpu$PROXY_CPU / cpu$LOAD_CPU): ${BUSY_RUNS[*]}. Those runs measure the contention, not the peer; run again on a quiet machine before comparing."
        echo
    fi
    echo "![req/s and CPU µs/req per peer]($SVG)"
    echo
    echo "req/s vs FastGate above 1.00: the peer served more. FastGate CPU/req ÷ peer's below 1.00: FastGate spent less CPU per request than that peer. CPU/req vs nginx: the peer's CPU µs/req ÷ nginx's (n/a without nginx); below 1.00 the peer spent less. user + sys µs/req = CPU µs/req in every run (to 0.1 µs); as medians, each taken on its own, they may come from different rounds and need not add up exactly."
    echo
    echo "## Every run"
    echo
    echo "Core busy = CPU µs/req × req/s: how much of cpu $PROXY_CPU the peer used. Well below 100 %, something else (the load core, other jobs) limited that run. Other load = CPU taken on each core by processes not started by this script (a build, a test run); more than a few %, and the figures are not comparable."
    echo
    echo "user / sys µs/req: the CPU µs/req split into utime and stime. FastGate CPU/req ÷ peer's (same round): FastGate's CPU µs/req in that round ÷ this peer's in that round."
    echo
    echo "| round | peer | req/s | p50 ms | p99 ms | CPU µs/req | user µs/req | sys µs/req | FastGate CPU/req ÷ peer's (same round) | core busy % | other load cpu$PROXY_CPU / cpu$LOAD_CPU % | errors |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    ((${#ROUND_ROWS[@]} == 0)) || printf '%s\n' "${ROUND_ROWS[@]}"
    echo
    if ((${#ROUND_RATIO_LINES[@]} > 0)); then
        printf '%s\n' "${ROUND_RATIO_LINES[@]}"
        echo
    fi
    echo "## Warm-up"
    echo
    echo "Probes of ${PROBE_SECONDS} s until the last 3 are within ${WARMUP_TOLERANCE} % of each other (cap ${WARMUP_MAX} s). probe:req/s"
    echo
    for peer in $PEERS; do
        if [[ -n ${WARM_TRACE[$peer]:-} ]]; then
            echo "- $peer: ${WARM_NOTE[$peer]}: \`${WARM_TRACE[$peer]% }\`"
        else
            echo "- $peer: ${FAILED[$peer]:-not warmed}"
        fi
    done
    echo
    echo "## FastGate start-up"
    echo
    if ((${#STARTUP_TRACE[@]} > 0)); then
        echo "Accepting ${STARTUP_LISTEN_MS} ms after the process started; then 1 s probes. Reached 90 % of its steady req/s: $STARTUP_NOTE."
        echo
        echo "| s since start | req/s |"
        echo "|---:|---:|"
        printf '%s\n' "${STARTUP_TRACE[@]}" | awk '{printf "| %s | %s |\n", $1, $2}'
    else
        echo "$STARTUP_NOTE."
    fi
    echo
    echo "## Setup"
    echo
    echo "- Machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)."
    echo "- Tools: $(tool_versions)."
    echo "- FastGate: the Native AOT binary from \`publish.sh\`, \`round_robin\`, one catch-all route; adds \`X-Forwarded-*\`. nginx: \`worker_processes 1\`, upstream \`keepalive 64\`, \`proxy_http_version 1.1\`, \`Connection \"\"\`, access log off. HAProxy: \`nbthread 1\`, \`mode http\`, \`http-reuse always\`, no logging. YARP: \`loadtest/peers/YarpPeer\`, \`RoundRobin\`, logging at Warning, workstation non-concurrent GC like FastGate; adds \`X-Forwarded-*\`."
    echo "- CPU µs/req: utime+stime from \`/proc/PID/stat\` of the peer's processes (nginx: master and worker) over the measured run ÷ requests completed; user µs/req is the utime part, sys µs/req the stime part (clock ticks of 1/$CLK_TCK s). Peak RSS: \`VmHWM\` at the end (nginx: the worker)."
} >"$REPORT"

echo
cat "$REPORT"
echo
log "saved $REPORT and $ROOT/loadtest/results/$SVG"
