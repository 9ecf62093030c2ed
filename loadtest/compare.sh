#!/usr/bin/env bash
# Peer benchmark: FastGate vs nginx, HAProxy and YARP in front of the same two sample upstreams.
# FastGate variants (fastgate-variants.sh) are peers too, measured in the same rounds: fastgate_base (the
# binary of BASELINE_REV, built in a temporary git worktree), fastgate_trace ([tracing] ratio 0.01 over
# OTLP/HTTP to a sink on the load core), fastgate_log (the JSON access log to a file) and fastgate_guarded
# (health checks, outlier detection and the breaker on the cluster); the report gives
# each one's CPU/req against fastgate's. The cache-hit peers (cache-peers.sh) are fastgate_cache (the benchmark route
# cached, every measured request a hit), kestrel (the bare Kestrel handler answering a fixed response) and
# nginx_cache (proxy_cache); the report's Cache hits section gives fastgate_cache's req/s against theirs (issue 12).
#
# All peers run at once, each on its own port, pinned to core 0 (an idle peer costs next to nothing);
# the load generator and both upstreams share core 1. Each peer is warmed up until its throughput is
# steady, then ROUNDS rounds measure every peer once, the order rotating each round. With wrk, each
# measured run is also cut into WINDOW-second windows (requests sent per window, from wrk's /proc/PID/io).
# BENCH_REPEAT runs the whole comparison again, BENCH_PAUSE seconds later, with every peer restarted.
#
# Environment (defaults in brackets):
#   DURATION [15]        seconds per measured run (rounded up to a multiple of WINDOW)
#   WINDOW [5]           seconds per throughput window of a measured run (wrk only)
#   BENCH_REPEAT [1]     how many times the whole comparison runs (peers restarted and warmed each time)
#   BENCH_PAUSE [1800]   seconds between the end of one run and the start of the next
#   ROUNDS [3]           measured runs per peer; medians are reported
#   CONNECTIONS [64]     connections of the load generator
#   PEERS ["fastgate nginx haproxy yarp"]; also fastgate_base, fastgate_trace, fastgate_log, fastgate_guarded,
#                        and the cache-hit peers fastgate_cache, kestrel, nginx_cache
#   BASELINE_REV [c113f73] the revision fastgate_base is built from (c113f73: before the observability work)
#   FASTGATE_TRANSPORT [epoll]  FastGate's server.transport: epoll or io_uring (or sockets)
#   LOADGEN              bombardier when the Go HTTP bombardier is on PATH, else wrk (hey also works)
#   PROBE_SECONDS [5]    length of one warm-up probe
#   WARMUP_MAX [90]      cap on warm-up probe seconds per peer
#   WARMUP_TOLERANCE [3] warm-up ends when the last 3 probes are within this many % of each other
#   UPSTREAM_WARMUP [15] seconds of direct load on each sample upstream before any proxy starts
#   STARTUP_SECONDS [20] FastGate start-up trace: this many seconds of load right after it accepts
#   STARTUP_WINDOW [0.25] seconds per window of that trace (wrk; other load generators: 1 s probes)
#   PRE_SECONDS [3]      unrecorded load just before each measured run (pools refilled after idling)
#   BASE_PORT [8081]     peers listen on BASE_PORT, BASE_PORT+1, ... in PEERS order
#   UPSTREAM_PORTS ["9011 9012"]
# Shared functions (processes, builds, proxy configs, /proc accounting, load tools): lib.sh.
set -euo pipefail

COMMAND_VARS=(DURATION WINDOW BENCH_REPEAT BENCH_PAUSE ROUNDS CONNECTIONS PEERS FASTGATE_TRANSPORT BASELINE_REV LOADGEN PROBE_SECONDS WARMUP_MAX WARMUP_TOLERANCE UPSTREAM_WARMUP
    STARTUP_SECONDS STARTUP_WINDOW PRE_SECONDS BASE_PORT UPSTREAM_PORTS)
EXACT_COMMAND=""
for v in "${COMMAND_VARS[@]}"; do
    [[ -z ${!v+x} ]] || EXACT_COMMAND+="$v=$(printf '%q' "${!v}") "
done
EXACT_COMMAND+="loadtest/compare.sh"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DURATION=${DURATION:-15}
WINDOW=${WINDOW:-5}
BENCH_REPEAT=${BENCH_REPEAT:-1}
BENCH_PAUSE=${BENCH_PAUSE:-1800}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
PEERS=${PEERS:-"fastgate nginx haproxy yarp"}
FASTGATE_TRANSPORT=${FASTGATE_TRANSPORT:-epoll}
[[ $FASTGATE_TRANSPORT =~ ^(epoll|io_uring|sockets)$ ]] || { echo "FASTGATE_TRANSPORT must be epoll, io_uring or sockets" >&2; exit 1; }
export FASTGATE_TRANSPORT
PROBE_SECONDS=${PROBE_SECONDS:-5}
WARMUP_MAX=${WARMUP_MAX:-90}
WARMUP_TOLERANCE=${WARMUP_TOLERANCE:-3}
UPSTREAM_WARMUP=${UPSTREAM_WARMUP:-15}
STARTUP_SECONDS=${STARTUP_SECONDS:-20}
STARTUP_WINDOW=${STARTUP_WINDOW:-0.25}
PRE_SECONDS=${PRE_SECONDS:-3}
BASE_PORT=${BASE_PORT:-8081}
read -r -a UPSTREAM_PORTS <<<"${UPSTREAM_PORTS:-9011 9012}"
PROXY_CPU=0
LOAD_CPU=1
LOG_TAG=compare

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
# shellcheck source=loadtest/fastgate-variants.sh
source "$ROOT/loadtest/fastgate-variants.sh"
# shellcheck source=loadtest/cache-peers.sh
source "$ROOT/loadtest/cache-peers.sh"
lib_init fastgate-compare

for peer in $PEERS; do
    [[ " fastgate nginx haproxy yarp $FASTGATE_VARIANTS $CACHE_PEERS " == *" $peer "* ]] \
        || { log "unknown peer '$peer' (fastgate nginx haproxy yarp $FASTGATE_VARIANTS $CACHE_PEERS)"; exit 1; }
done
for v in DURATION WINDOW BENCH_REPEAT ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { log "$v must be a whole number above 0"; exit 1; }
done
[[ $BENCH_PAUSE =~ ^[0-9]+$ ]] || { log "BENCH_PAUSE must be a whole number of seconds"; exit 1; }
# Windows of equal length: DURATION is rounded up to a multiple of WINDOW.
DURATION_NOTE=""
if ((DURATION % WINDOW != 0)); then
    DURATION_NOTE="DURATION=$DURATION rounded up to $(((DURATION + WINDOW - 1) / WINDOW * WINDOW)), a multiple of WINDOW=$WINDOW"
    DURATION=$(((DURATION + WINDOW - 1) / WINDOW * WINDOW))
    log "$DURATION_NOTE"
fi

# ---------------------------------------------------------------- prerequisites
pick_loadgen bombardier wrk
check_cpus
install_missing "$LOADGEN=$LOADGEN" nginx=nginx-light haproxy=haproxy taskset=util-linux curl=curl
! has_peer fastgate_trace || install_missing python3=python3
command -v dotnet >/dev/null || { log "dotnet SDK not found on PATH"; exit 1; }

# ---------------------------------------------------------------- builds and upstreams
build_upstream
! uses_current_fastgate || build_fastgate
! has_peer fastgate_base || build_fastgate_base
! has_peer yarp || build_yarp
! has_peer kestrel || build_kestrel
start_upstreams
! has_peer fastgate_trace || start_otlp_sink
WINDOWS_ON=1
if [[ $LOADGEN != wrk ]]; then
    WINDOWS_ON=""
    log "throughput windows are read from wrk's /proc/PID/io; with LOADGEN=$LOADGEN they are not traced"
fi

# ---------------------------------------------------------------- start and warm up each peer
# Per run (see start_peers): PORT FAILED MAIN_PID RSS_PIDS WARM_TRACE WARM_NOTE SERVED (requests completed), and
OWN_PROXY_PIDS=()
STARTUP_TRACE=()      # "seconds_since_start req/s" per window or 1 s probe (FastGate)
STARTUP_LISTEN_MS=""  # FastGate: process start -> accepting, ms
ALIVE=()

fail_peer() {
    FAILED[$1]=$2
    log "$1: FAILED ($2)"
    [[ -z ${MAIN_PID[$1]:-} ]] || stop_started "${MAIN_PID[$1]}"
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
    local name=$1 port=$2 dir="$RUN_DIR/$1" pid listen url t0
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
    # A peer's own readiness check (cache-peers.sh: the object is a HIT); in this shell, so it may set variables.
    if declare -F "ready_$name" >/dev/null && ! "ready_$name" "$dir" "$url"; then
        fail_peer "$name" "$(cat "$dir/failure" 2>/dev/null || echo "not ready")"
        return
    fi

    # FastGate's start-up trace straight after it accepts: one wrk run read in STARTUP_WINDOW windows (wrk), or
    # 1 s probes (other load generators).
    if [[ $name == fastgate ]]; then
        STARTUP_LISTEN_MS=$listening_ms
        local s rates offset_ms
        if [[ $LOADGEN == wrk ]]; then
            log "$name: start-up trace, ${STARTUP_SECONDS} s in windows of ${STARTUP_WINDOW} s (accepting after ${listening_ms} ms)"
            offset_ms=$(($(now_ms) - t0))
            run_wrk_windows "$STARTUP_SECONDS" "$STARTUP_WINDOW" "$dir/startup.txt" "$url"
            read -r -a rates <<<"$WINDOW_RPS"
            for s in "${!rates[@]}"; do
                STARTUP_TRACE+=("$(awk -v ms="$offset_ms" -v k="$s" -v w="$STARTUP_WINDOW" 'BEGIN {printf "%.2f", ms / 1000 + (k + 1) * w}') ${rates[$s]}")
            done
        else
            log "$name: start-up trace, ${STARTUP_SECONDS} probes of 1 s (accepting after ${listening_ms} ms)"
            for s in $(seq "$STARTUP_SECONDS"); do
                run_load 1 "$dir/startup-$s.txt" "$url"
                STARTUP_TRACE+=("$(awk -v ms="$(($(now_ms) - t0))" 'BEGIN {printf "%.1f", ms / 1000}') $RPS")
            done
        fi
    fi

    # Warm-up: PROBE_SECONDS probes until the last 3 agree within WARMUP_TOLERANCE %, or WARMUP_MAX.
    local probes=() trace="" n=0 spent=0 note
    note="not stable within ${WARMUP_MAX} s (cap)"
    while ((spent < WARMUP_MAX)); do
        n=$((n + 1))
        run_load "$PROBE_SECONDS" "$dir/warm-$n.txt" "$url"
        SERVED[$name]=$((${SERVED[$name]:-0} + REQUESTS))
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
    if [[ $name == nginx || $name == nginx_cache ]]; then
        RSS_PIDS[$name]=$(pgrep -P "$pid" -f 'worker process' | tr '\n' ' ')   # the worker (not the cache manager)
    else
        RSS_PIDS[$name]=${pids[*]}
    fi
    ALIVE+=("$name")
}

# start_peers: starts and warms every peer afresh (each run of BENCH_REPEAT has its own processes).
start_peers() {
    declare -gA PORT=() FAILED=() MAIN_PID=() RSS_PIDS=() WARM_TRACE=() WARM_NOTE=() SERVED=()
    OWN_PROXY_PIDS=()
    STARTUP_TRACE=()
    STARTUP_LISTEN_MS=""
    ALIVE=()
    local peer i=0
    for peer in $PEERS; do
        start_peer "$peer" $((BASE_PORT + i))
        i=$((i + 1))
    done
}

# ---------------------------------------------------------------- rotated rounds
# measure_rounds: ROUNDS rounds over the peers that are up. Sets, for this run:
#   RUNS[peer]   one line per measured run: "rps p50 p99 cpu other0 other1 busy user sys windows_max/min"
#   ROUND_RPS, ROUND_CPU, ROUND_USER, ROUND_P99, ROUND_MAXMIN ["round peer"]
#   ROUND_DATA   "round peer rps p50 p99 cpu user sys busy other0 other1 errors max/min sent-completed windows"
#                per measured run (windows: req/s per window, comma-separated; '-' when not traced)
# shellcheck disable=SC2034 # ROUND_RPS, ROUND_USER and ROUND_P99 are read through round_ratios' nameref
measure_rounds() {
    declare -gA RUNS=() ERRS=() ROUND_RPS=() ROUND_CPU=() ROUND_USER=() ROUND_P99=() ROUND_MAXMIN=()
    ROUND_DATA=()
    BUSY_RUNS=()
    TOTAL_RUNS=0
    ROUNDS_FROM=$(date -u +%H:%M:%S)
    local round n k name pid url before after cpu_us other0 other1 user_us sys_us busy maxmin sent_diff windows
    local order=() pids=()
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
            run_load "$PRE_SECONDS" "$RUN_DIR/$name/pre-$round.txt" "$url"
            SERVED[$name]=$((${SERVED[$name]:-0} + REQUESTS))
            ! declare -F "before_measure_$name" >/dev/null || "before_measure_$name" "$round" "$url"
            before=$(cpu_snapshot "${pids[@]}")
            if [[ -n $WINDOWS_ON ]]; then
                run_wrk_windows "$DURATION" "$WINDOW" "$RUN_DIR/$name/measure-$round.txt" "$url"
            else
                run_load "$DURATION" "$RUN_DIR/$name/measure-$round.txt" "$url"
                WINDOW_RPS="" WINDOW_MAXMIN="" WINDOW_SENT=""
            fi
            after=$(cpu_snapshot "${pids[@]}")
            ! declare -F "after_measure_$name" >/dev/null || "after_measure_$name" "$round" "$url"
            SERVED[$name]=$((${SERVED[$name]:-0} + REQUESTS))
            kill -0 "$pid" 2>/dev/null || { fail_peer "$name" "died during round $round"; continue; }
            read -r cpu_us other0 other1 < <(cpu_figures "$before" "$after" "$REQUESTS")
            read -r user_us sys_us < <(cpu_split_figures "$before" "$after" "$REQUESTS")
            busy=$(awk -v c="$cpu_us" -v r="$RPS" 'BEGIN {printf "%.0f", c * r / 1e4}')
            maxmin=${WINDOW_MAXMIN:-n/a}
            sent_diff=n/a
            [[ -z $WINDOW_SENT ]] || sent_diff=$((WINDOW_SENT - REQUESTS))
            windows=${WINDOW_RPS:--}
            # columns 1-7 as before; 8 and 9: user and system µs/req; 10: windows max/min
            RUNS[$name]+="$RPS $P50_MS $P99_MS $cpu_us $other0 $other1 $busy $user_us $sys_us $maxmin"$'\n'
            ERRS[$name]=$((${ERRS[$name]:-0} + ERRORS))
            ROUND_RPS["$round $name"]=$RPS
            ROUND_CPU["$round $name"]=$cpu_us
            ROUND_USER["$round $name"]=$user_us
            ROUND_P99["$round $name"]=$P99_MS
            ROUND_MAXMIN["$round $name"]=$maxmin
            ROUND_DATA+=("$round $name $RPS $P50_MS $P99_MS $cpu_us $user_us $sys_us $busy $other0 $other1 $ERRORS $maxmin $sent_diff ${windows// /,}")
            TOTAL_RUNS=$((TOTAL_RUNS + 1))
            ((other0 <= 10 && other1 <= 10)) || BUSY_RUNS+=("round $round $name ($other0 % / $other1 %)")
            log "$name: round $round: $RPS req/s (windows ${WINDOW_RPS:-n/a}, max/min $maxmin), p50 $P50_MS ms, p99 $P99_MS ms, $cpu_us µs CPU/req ($user_us user + $sys_us sys), core $busy% busy, other load cpu0 $other0% cpu1 $other1%, errors $ERRORS"
        done
    done
    ROUNDS_TO=$(date -u +%H:%M:%S)
}

# stop_peers: peak RSS now (VmHWM: the most since start), then stop the peers.
stop_peers() {
    declare -gA RSS_MB=()
    local name
    for name in "${ALIVE[@]}"; do
        [[ -z ${FAILED[$name]:-} ]] || continue
        # shellcheck disable=SC2086
        RSS_MB[$name]=$(awk -v kb="$(peak_rss_kb ${RSS_PIDS[$name]})" 'BEGIN {printf "%.1f", kb / 1024}')
        stop_started "${MAIN_PID[$name]}"
    done
}

# ---------------------------------------------------------------- summary of one run
# median COLUMN <<< runs
median() { awk -v c="$1" 'NF {print $c}' | sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print 0}'; }
# median_num COLUMN <<< runs: the same over the numeric values only; n/a when there are none.
median_num() { awk -v c="$1" 'NF && $c ~ /^[0-9.]+$/ {print $c}' | sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "n/a"}'; }

# cpu_ratio A B: A ÷ B to two decimals, n/a when either is missing or B is 0.
cpu_ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "n/a"}'; }

num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a + 0 <= b + 0)}'; }

# round_ratios MAP PEER [OF]: "1: 0.84, 2: 0.86": OF's figure in MAP (FastGate's by default) ÷ PEER's, round by round.
round_ratios() {
    local -n map=$1
    local r line="" of=${3:-fastgate}
    for r in $(seq "$ROUNDS"); do
        line+="${line:+, }$r: $(cpu_ratio "${map["$r $of"]:-}" "${map["$r $2"]:-}")"
    done
    echo "$line"
}

# windows_k "31204,30811": "31.2k 30.8k".
windows_k() {
    [[ $1 != - ]] || { echo n/a; return; }
    awk -v w="$1" 'BEGIN {n = split(w, v, ","); for (i = 1; i <= n; i++) printf "%s%.1fk", (i > 1 ? " " : ""), v[i] / 1000; print ""}'
}

label_of() { case $1 in haproxy) echo HAProxy ;; yarp) echo YARP ;; fastgate) echo FastGate ;; *) echo "$1" ;; esac; }

# The issue's done-when criteria, judged on one run (medians over that run's rounds).
CRIT_TEXT=(
    "FastGate CPU/req ≤ nginx's in every round"
    "FastGate CPU/req ≤ HAProxy's (medians)"
    "FastGate user CPU/req ≤ nginx's user CPU/req (medians)"
    "FastGate p99 ≤ nginx's and ≤ HAProxy's (medians)"
    "FastGate ${WINDOW} s windows max/min ≤ 1.2 or ≤ nginx's (medians over the rounds)"
)
declare -A CRIT
# judge_run RUN: sets CRIT["RUN 1".."RUN 5"] to "yes (figures)", "no (figures)" or "n/a (why)", from the
# MED_* and ROUND_* figures of the run just summarized (summarize_run's locals).
judge_run() {
    local run=$1 r f g ok detail worst k what peer
    if [[ -z ${MED_CPU[fastgate]:-} || -z ${MED_CPU[nginx]:-} ]]; then
        CRIT["$run 1"]="n/a (FastGate or nginx not measured)"
    else
        ok=yes detail=""
        for r in $(seq "$ROUNDS"); do
            f=${ROUND_CPU["$r fastgate"]:-} g=${ROUND_CPU["$r nginx"]:-}
            if ! num "$f" || ! num "$g"; then
                ok=no detail+="${detail:+, }$r: not measured"
                continue
            fi
            le "$f" "$g" || ok=no
            detail+="${detail:+, }$r: $(cpu_ratio "$f" "$g")"
        done
        CRIT["$run 1"]="$ok (÷ nginx's, round by round: $detail)"
    fi
    for r in "2 CPU haproxy" "3 USER nginx"; do
        read -r k what peer <<<"$r"
        local -n med="MED_$what"
        if [[ -z ${med[fastgate]:-} || -z ${med[$peer]:-} ]]; then
            CRIT["$run $k"]="n/a (FastGate or $(label_of "$peer") not measured)"
        else
            ok=no
            le "${med[fastgate]}" "${med[$peer]}" && ok=yes
            CRIT["$run $k"]="$ok (${med[fastgate]} ÷ ${med[$peer]} µs = $(cpu_ratio "${med[fastgate]}" "${med[$peer]}"))"
        fi
        unset -n med
    done
    if [[ -z ${MED_P99[fastgate]:-} || -z ${MED_P99[nginx]:-} || -z ${MED_P99[haproxy]:-} ]]; then
        CRIT["$run 4"]="n/a (FastGate, nginx or HAProxy not measured)"
    else
        ok=no
        le "${MED_P99[fastgate]}" "${MED_P99[nginx]}" && le "${MED_P99[fastgate]}" "${MED_P99[haproxy]}" && ok=yes
        CRIT["$run 4"]="$ok (${MED_P99[fastgate]} ms; ÷ nginx's $(cpu_ratio "${MED_P99[fastgate]}" "${MED_P99[nginx]}"), ÷ HAProxy's $(cpu_ratio "${MED_P99[fastgate]}" "${MED_P99[haproxy]}"))"
    fi
    f=${MED_MAXMIN[fastgate]:-n/a} g=${MED_MAXMIN[nginx]:-n/a}
    if ! num "$f"; then
        CRIT["$run 5"]="n/a (FastGate's windows not traced)"
    else
        worst=$(for r in $(seq "$ROUNDS"); do echo "${ROUND_MAXMIN["$r fastgate"]:-}"; done | awk '$1 ~ /^[0-9.]+$/ && $1 > w {w = $1} END {print w}')
        ok=no
        if le "$f" 1.2 || { num "$g" && le "$f" "$g"; }; then ok=yes; fi
        CRIT["$run 5"]="$ok ($f, worst round $worst; nginx's $g)"
    fi
}

# summarize_run RUN: the tables of one run, written to $TMP/run-RUN.md (the chart's file name is left as
# @SVG@), plus its medians in the A_* maps and its chart data in CHARTS[RUN], for the report.
declare -A A_RPS A_CPU A_USER A_SYS A_P99 A_MAXMIN
CHARTS=()
# shellcheck disable=SC2034 # the A_* maps are read through across_cell's nameref
summarize_run() {
    local run=$1 h="##" peer rps cpu ratio cpu_ratio vs_nginx runs entry line label chart=""
    local r name p50 p99 user sys busy other0 other1 errors maxmin sent_diff windows same_round
    ((BENCH_REPEAT == 1)) || h="###"
    local -A MED_RPS=() MED_P50=() MED_P99=() MED_CPU=() MED_USER=() MED_SYS=() MED_MAXMIN=()
    for peer in $PEERS; do
        [[ -z ${FAILED[$peer]:-} && -n ${RUNS[$peer]:-} ]] || continue
        MED_RPS[$peer]=$(median 1 <<<"${RUNS[$peer]}")
        MED_P50[$peer]=$(median 2 <<<"${RUNS[$peer]}")
        MED_P99[$peer]=$(median 3 <<<"${RUNS[$peer]}")
        MED_CPU[$peer]=$(median 4 <<<"${RUNS[$peer]}")
        MED_USER[$peer]=$(median 8 <<<"${RUNS[$peer]}")
        MED_SYS[$peer]=$(median 9 <<<"${RUNS[$peer]}")
        MED_MAXMIN[$peer]=$(median_num 10 <<<"${RUNS[$peer]}")
        A_RPS["$run $peer"]=${MED_RPS[$peer]}
        A_CPU["$run $peer"]=${MED_CPU[$peer]}
        A_USER["$run $peer"]=${MED_USER[$peer]}
        A_SYS["$run $peer"]=${MED_SYS[$peer]}
        A_P99["$run $peer"]=${MED_P99[$peer]}
        A_MAXMIN["$run $peer"]=${MED_MAXMIN[$peer]}
    done
    local fg_rps=${MED_RPS[fastgate]:-} fg_cpu=${MED_CPU[fastgate]:-} nginx_cpu=${MED_CPU[nginx]:-}

    local rows=()
    for peer in $PEERS; do
        if [[ -n ${FAILED[$peer]:-} || -z ${MED_RPS[$peer]:-} ]]; then
            rows+=("| $peer | failed: ${FAILED[$peer]:-no measured run} | | | | | | | | | | | |")
            continue
        fi
        rps=${MED_RPS[$peer]} cpu=${MED_CPU[$peer]}
        ratio=n/a cpu_ratio=n/a
        if [[ -n $fg_rps ]] && ((fg_rps > 0)); then
            ratio=$(awk -v a="$rps" -v b="$fg_rps" 'BEGIN {printf "%.2f", a / b}')
            cpu_ratio=$(cpu_ratio "$fg_cpu" "$cpu")
        fi
        vs_nginx=$(cpu_ratio "$cpu" "$nginx_cpu")
        runs=$(awk 'NF' <<<"${RUNS[$peer]}" | wc -l)
        rows+=("| $peer | $rps | ${MED_MAXMIN[$peer]} | ${MED_P50[$peer]} | ${MED_P99[$peer]} | $cpu | ${MED_USER[$peer]} | ${MED_SYS[$peer]} | ${RSS_MB[$peer]} | $ratio | $cpu_ratio | $vs_nginx | ${ERRS[$peer]:-0} ($runs/$ROUNDS runs) |")
        chart+="$peer $rps $cpu"$'\n'
    done
    CHARTS[run]=$chart

    # Every run, with FastGate's CPU/req ÷ this peer's in the same round (blank in FastGate's own rows).
    local round_rows=() diffs=()
    for entry in "${ROUND_DATA[@]}"; do
        read -r r name rps p50 p99 cpu user sys busy other0 other1 errors maxmin sent_diff windows <<<"$entry"
        same_round=""
        [[ $name == fastgate ]] || same_round=$(cpu_ratio "${ROUND_CPU["$r fastgate"]:-}" "$cpu")
        round_rows+=("| $r | $name | $rps | $(windows_k "$windows") | $maxmin | $p50 | $p99 | $cpu | $user | $sys | $same_round | $busy | $other0 / $other1 | $errors |")
        [[ $sent_diff == n/a ]] || diffs+=("$sent_diff $errors")
    done
    # "FastGate CPU/req ÷ nginx's, round by round: 1: 0.84, 2: 0.86" (and HAProxy's), for quoting; the
    # same for user CPU/req and p99; then each peer's windows max/min round by round.
    local ratio_lines=() what map
    for what in "CPU/req:ROUND_CPU:" "user CPU/req:ROUND_USER: user" "p99:ROUND_P99: p99"; do
        IFS=: read -r label map line <<<"$what"
        for peer in nginx haproxy; do
            [[ " $PEERS " == *" $peer "* && " $PEERS " == *" fastgate "* ]] || continue
            ratio_lines+=("- FastGate $label ÷ $(label_of "$peer")'s$line, round by round: $(round_ratios "$map" "$peer")")
        done
    done
    local window_lines=()
    if [[ -n $WINDOWS_ON ]]; then
        for peer in $PEERS; do
            line=""
            for r in $(seq "$ROUNDS"); do line+="${line:+, }$r: ${ROUND_MAXMIN["$r $peer"]:-n/a}"; done
            window_lines+=("- $peer: $WINDOW s windows max/min per round: $line")
        done
    fi
    # Requests sent in all windows − requests wrk completed: those in flight when wrk stopped (0 to
    # CONNECTIONS), plus any resent after a broken connection.
    local check=""
    if ((${#diffs[@]} > 0)); then
        check=$(printf '%s\n' "${diffs[@]}" | awk -v c="$CONNECTIONS" -v n="${#diffs[@]}" -v bytes="$WINDOW_BYTES" '
            NR == 1 {lo = hi = $1} {if ($1 < lo) lo = $1; if ($1 > hi) hi = $1; if ($1 < 0 || $1 > c + $2) bad++}
            END {printf "requests sent in all windows (wrk'"'"'s bytes written ÷ %d) − requests wrk completed, over the %d measured runs: %+d to %+d", bytes, n, lo, hi
                 if (bad) printf "; **%d runs outside 0 to CONNECTIONS (%d) + errors: the window counts are not to be trusted**", bad, c
                 else printf " (in flight when wrk stopped: 0 to CONNECTIONS = %d)", c}')
    fi

    # FastGate start-up: first probe at or above 90 % of its measured (median) req/s.
    local startup_note="not traced"
    if ((${#STARTUP_TRACE[@]} > 0)); then
        if [[ -n $fg_rps ]]; then
            startup_note=$(printf '%s\n' "${STARTUP_TRACE[@]}" | awk -v steady="$fg_rps" -v n="$STARTUP_SECONDS" '
                $2 >= 0.9 * steady && !hit {hit = $1; r = $2}
                {if ($2 > best) best = $2}
                END {if (hit) printf "%s s after process start (%d req/s ≥ 90%% of the steady %d)", hit, r, steady
                     else printf "not within its %d s trace (best %d req/s; steady %d)", n, best, steady}')
        else
            startup_note="no steady value (FastGate not measured)"
        fi
    fi

    judge_run "$run"
    local variants cache
    variants=$(variants_section "$run" "$h")
    cache=$(cache_section "$run" "$h")

    {
        if ((BENCH_REPEAT > 1)); then
            echo "## Run $run (${RUN_LABEL[$run]})"
            echo
            echo "Peers started ${RUN_BEGAN[$run]}; measured rounds $ROUNDS_FROM to $ROUNDS_TO UTC."
            echo
        fi
        echo "| peer | req/s | windows max/min | p50 ms | p99 ms | CPU µs/req | user µs/req | sys µs/req | peak RSS MB | req/s vs FastGate | FastGate CPU/req ÷ peer's | CPU/req vs nginx | errors (runs) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${rows[@]}"
        echo
        if ((${#BUSY_RUNS[@]} > 0)); then
            echo "**Busy machine**: in ${#BUSY_RUNS[@]} of $TOTAL_RUNS runs, processes not started by this script took more than 10 % of a core (cpu$PROXY_CPU / cpu$LOAD_CPU): ${BUSY_RUNS[*]}. Those runs measure the contention, not the peer; run again on a quiet machine before comparing."
            echo
        fi
        echo "![req/s and CPU µs/req per peer](@SVG@)"
        echo
        if ((run == 1)); then
            echo "req/s vs FastGate above 1.00: the peer served more. FastGate CPU/req ÷ peer's below 1.00: FastGate spent less CPU per request than that peer. CPU/req vs nginx: the peer's CPU µs/req ÷ nginx's (n/a without nginx); below 1.00 the peer spent less. windows max/min: the median over the rounds of each run's highest ${WINDOW} s window ÷ its lowest (1.00: steady). user + sys µs/req = CPU µs/req in every run (to 0.1 µs); as medians, each taken on its own, they may come from different rounds and need not add up exactly."
            echo
        fi
        [[ -z $variants ]] || printf '%s\n\n' "$variants"
        [[ -z $cache ]] || printf '%s\n\n' "$cache"
        echo "$h Every run"
        echo
        if ((run == 1)); then
            echo "Core busy = CPU µs/req × req/s: how much of cpu $PROXY_CPU the peer used. Well below 100 %, something else (the load core, other jobs) limited that run. Other load = CPU taken on each core by processes not started by this script (a build, a test run); more than a few %, and the figures are not comparable."
            echo
            echo "user / sys µs/req: the CPU µs/req split into utime and stime. FastGate CPU/req ÷ peer's (same round): FastGate's CPU µs/req in that round ÷ this peer's in that round. windows req/s: the requests sent in each ${WINDOW} s window of the run ÷ the window's length, in thousands (how: under the Load line); max/min: the highest window ÷ the lowest."
            echo
        fi
        echo "| round | peer | req/s | windows req/s | max/min | p50 ms | p99 ms | CPU µs/req | user µs/req | sys µs/req | FastGate CPU/req ÷ peer's (same round) | core busy % | other load cpu$PROXY_CPU / cpu$LOAD_CPU % | errors |"
        echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        ((${#round_rows[@]} == 0)) || printf '%s\n' "${round_rows[@]}"
        echo
        if ((${#ratio_lines[@]} > 0)); then
            printf '%s\n' "${ratio_lines[@]}"
            echo
        fi
        if ((${#window_lines[@]} > 0)); then
            printf '%s\n' "${window_lines[@]}"
            echo
        fi
        if [[ -n $check ]]; then
            echo "Windows check: $check."
            echo
        fi
        echo "$h Warm-up"
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
        echo "$h FastGate start-up"
        echo
        if ((${#STARTUP_TRACE[@]} > 0)); then
            echo "Accepting ${STARTUP_LISTEN_MS} ms after the process started; then load, read in windows of ${STARTUP_WINDOW} s (1 s probes without wrk; each row's time is the end of its window). Reached 90 % of its steady req/s: $startup_note."
            echo
            echo "| s since start | req/s |"
            echo "|---:|---:|"
            printf '%s\n' "${STARTUP_TRACE[@]}" | awk '{printf "| %s | %s |\n", $1, $2}'
        else
            echo "$startup_note."
        fi
        echo
        if ((BENCH_REPEAT == 1)); then
            echo "## Done-when criteria"
            echo
            echo "The criteria of the issue (Performance II), judged on this run; a claim needs two runs at least 30 minutes apart (\`BENCH_REPEAT=2\`)."
            echo
            local i
            for i in 1 2 3 4 5; do echo "- ${CRIT_TEXT[i - 1]}: ${CRIT["$run $i"]}"; done
            echo
        fi
    } >"$TMP/run-$run.md"
}

# ---------------------------------------------------------------- the runs
declare -A RUN_LABEL RUN_BEGAN
for run in $(seq "$BENCH_REPEAT"); do
    RUN_DIR=$TMP/run-$run
    mkdir -m 755 "$RUN_DIR"
    RUN_LABEL[$run]="$(date -u +%H:%M) UTC"
    RUN_BEGAN[$run]=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    ((BENCH_REPEAT == 1)) || log "run $run/$BENCH_REPEAT, ${RUN_BEGAN[$run]}"
    warm_upstreams "$UPSTREAM_WARMUP"
    variants_run_begins "$run"
    start_peers
    measure_rounds
    stop_peers
    variants_run_ends "$run"
    summarize_run "$run"
    if ((run < BENCH_REPEAT)); then
        log "run $run done; pausing $BENCH_PAUSE s (next run at about $(date -u -d "+$BENCH_PAUSE seconds" +%H:%M) UTC; peers stopped, upstreams up)"
        pause_us $((BENCH_PAUSE * 1000000))
    fi
done

# ---------------------------------------------------------------- chart (SVG, awk only)
write_svg() {
    awk -v title="$1" 'NF {n++; name[n] = $1; rps[n] = $2; cpu[n] = $3; if ($2 > mr) mr = $2; if ($3 > mc) mc = $3}
    function panel(y0, label, unit, vals, max, color,   i, w, y) {
        printf "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y0 + 16, label
        for (i = 1; i <= n; i++) {
            y = y0 + 26 + (i - 1) * 28
            w = (max > 0 ? vals[i] / max * 420 : 0)
            printf "<text x=\"90\" y=\"%d\" text-anchor=\"end\">%s</text>\n", y + 15, name[i]
            printf "<rect x=\"100\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>\n", y, w, (name[i] == "fastgate" ? "#d9480f" : name[i] ~ /^fastgate_/ ? "#f08c00" : color)
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

tool_versions() {
    local v=()
    v+=("$(loadgen_version)")
    ! has_peer nginx && ! has_peer nginx_cache || v+=("$({ nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1; } | sed 's/^nginx version: //')")
    [[ " $PEERS " != *" haproxy "* ]] || v+=("HAProxy $(haproxy -v 2>/dev/null | awk 'NR == 1 {print $3}')")
    [[ " $PEERS " != *" yarp "* ]] || v+=("Yarp.ReverseProxy $(sed -n 's/.*"Yarp.ReverseProxy" Version="\([^"]*\)".*/\1/p' "$YARP_DIR/YarpPeer.csproj")")
    ! has_peer kestrel || v+=("ASP.NET Core $(dotnet --list-runtimes 2>/dev/null | awk '$1 == "Microsoft.AspNetCore.App" {v = $2} END {print v}') (kestrel)")
    if uses_current_fastgate; then
        v+=("FastGate $(git -C "$ROOT" log -1 --format=%h 2>/dev/null || echo '(no git)')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' with uncommitted changes in src') on the $FASTGATE_TRANSPORT transport")
    fi
    ! has_peer fastgate_base || v+=("fastgate_base: FastGate ${BASE_DESC:-$BASELINE_REV}")
    v+=(".NET SDK $(dotnet --version)")
    local IFS=,
    echo "${v[*]}" | sed 's/,/, /g'
}

# ---------------------------------------------------------------- report
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$ROOT/loadtest/results"
REPORT=$ROOT/loadtest/results/compare-$STAMP.md
SVGS=()
for run in $(seq "$BENCH_REPEAT"); do
    if ((BENCH_REPEAT == 1)); then
        svg=compare-$STAMP.svg
        title="FastGate and peers, $STAMP, $LOADGEN -c$CONNECTIONS, ${DURATION}s x $ROUNDS"
    else
        svg=compare-$STAMP-run$run.svg
        title="FastGate and peers, $STAMP run $run (${RUN_LABEL[$run]}), $LOADGEN -c$CONNECTIONS, ${DURATION}s x $ROUNDS"
    fi
    write_svg "$title" <<<"${CHARTS[run]:-}" >"$ROOT/loadtest/results/$svg"
    SVGS+=("$ROOT/loadtest/results/$svg")
    section=$(<"$TMP/run-$run.md")
    printf '%s\n\n' "${section//@SVG@/$svg}" >"$TMP/run-$run.final.md"
done

# across_cell MAP RUN PEER: the figure, or "failed".
across_cell() { local -n m=$1; echo "${m["$2 $3"]:-failed}"; }

{
    echo "# FastGate vs peers, $STAMP"
    echo
    echo "Command: \`$EXACT_COMMAND\`"
    echo
    echo "Load: \`taskset -c $LOAD_CPU $(load_command "$DURATION" "http://127.0.0.1:PORT/")\` against each peer; the 13-byte \`Hello, World!\` from two sample upstreams (ports ${UPSTREAM_PORTS[*]}, cpu $LOAD_CPU, with the load generator); every peer pinned to cpu $PROXY_CPU. $ROUNDS rounds, the order rotating each round; each measured run follows ${PRE_SECONDS} s of unrecorded load. Medians over the rounds, each column on its own.${DURATION_NOTE:+ ($DURATION_NOTE.)}"
    echo
    if [[ -n $WINDOWS_ON ]]; then
        echo "Windows of ${WINDOW} s: each measured run is one continuous wrk run, so its req/s, p50, p99 and CPU µs/req are the whole run's, as they would be without windows. Every ${WINDOW} s from its start the script reads \`wchar\` in wrk's \`/proc/PID/io\`: the bytes wrk has written so far, and wrk writes each request with one \`write(2)\` of a fixed size (${WINDOW_BYTES:-41} bytes here), so a window's requests are the growth of \`wchar\` ÷ that size, and its req/s those ÷ the window's measured length. Nothing is added to wrk, the peers or the upstreams, and the script starts no process while wrk runs (it waits with \`read -t\` and reads \`/proc\` with bash's \`read\`). The first window starts just before wrk does; the last ends when wrk exits, its count taken from the shell wrk ran under (a parent's \`/proc/PID/io\` includes its reaped children's) less wrk's report. Window lengths so include wrk's start and exit (a few ms): the windows' mean is about 0.1-0.2 % below wrk's req/s. These are requests sent, not completed: at a window's edge up to CONNECTIONS = $CONNECTIONS requests are in flight ($(awk -v c="$CONNECTIONS" -v w="$WINDOW" 'BEGIN {printf "%.2f", c / (30000 * w) * 100}') % of a ${WINDOW} s window at 30k req/s; the windows check under each Every run table bounds it). max/min: the highest window's req/s ÷ the lowest's. (Not chosen: back-to-back ${WINDOW} s wrk runs, which reconnect and lose a whole-run p99; a counter in the sample upstreams, which would touch their hot path on the load core.)"
    else
        echo "Windows: not traced (they are read from wrk's \`/proc/PID/io\`; LOADGEN=$LOADGEN)."
    fi
    echo
    if ((BENCH_REPEAT > 1)); then
        echo "Repeated: the whole comparison ran $BENCH_REPEAT times, BENCH_PAUSE = $BENCH_PAUSE s from the end of one run to the start of the next. Each run restarts every peer (fresh processes, so each has its own warm-up, FastGate start-up trace and peak RSS) and first loads the sample upstreams again for ${UPSTREAM_WARMUP} s; the upstreams themselves stay up across runs, and the builds are done once."
        echo
        for run in $(seq "$BENCH_REPEAT"); do cat "$TMP/run-$run.final.md"; done
        echo "## Across runs"
        echo
        echo "Per run, the medians over its rounds."
        echo
        echo "| run | peer | req/s | CPU µs/req | user µs/req | sys µs/req | p99 ms | ${WINDOW} s windows max/min |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
        for run in $(seq "$BENCH_REPEAT"); do
            for peer in $PEERS; do
                echo "| $run (${RUN_LABEL[$run]}) | $peer | $(across_cell A_RPS "$run" "$peer") | $(across_cell A_CPU "$run" "$peer") | $(across_cell A_USER "$run" "$peer") | $(across_cell A_SYS "$run" "$peer") | $(across_cell A_P99 "$run" "$peer") | $(across_cell A_MAXMIN "$run" "$peer") |"
            done
        done
        echo
        echo "The criteria of the issue (Performance II), judged on each run; a claim needs them in two runs at least 30 minutes apart."
        echo
        header="| criterion |" rule="|---|"
        for run in $(seq "$BENCH_REPEAT"); do
            header+=" Run $run (${RUN_LABEL[$run]}) |"
            rule+="---|"
        done
        echo "$header every run |"
        echo "$rule---|"
        for i in 1 2 3 4 5; do
            line="| ${CRIT_TEXT[i - 1]} |" all=yes
            for run in $(seq "$BENCH_REPEAT"); do
                cell=${CRIT["$run $i"]}
                line+=" $cell |"
                case $cell in
                    no*) all=no ;;
                    yes*) ;;
                    *) [[ $all == no ]] || all=n/a ;;
                esac
            done
            echo "$line $all |"
        done
        echo
    else
        cat "$TMP/run-1.final.md"
    fi
    echo "## Setup"
    echo
    echo "- Machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)."
    echo "- Tools: $(tool_versions)."
    echo "- FastGate: the Native AOT binary from \`publish.sh\`, \`round_robin\`, one catch-all route; adds \`X-Forwarded-*\`. nginx: \`worker_processes 1\`, upstream \`keepalive 64\`, \`proxy_http_version 1.1\`, \`Connection \"\"\`, access log off. HAProxy: \`nbthread 1\`, \`mode http\`, \`http-reuse always\`, no logging. YARP: \`loadtest/peers/YarpPeer\`, \`RoundRobin\`, logging at Warning, workstation non-concurrent GC like FastGate; adds \`X-Forwarded-*\`. FastGate variants: FastGate's config and one change each (see FastGate variants)."
    cache_setup_line
    echo "- CPU µs/req: utime+stime from \`/proc/PID/stat\` of the peer's processes (nginx: master and worker) over the measured run ÷ requests completed; user µs/req is the utime part, sys µs/req the stime part (clock ticks of 1/$CLK_TCK s). Peak RSS: \`VmHWM\` at the end of its run (nginx: the worker)."
} >"$REPORT"

echo
cat "$REPORT"
echo
log "saved $REPORT and ${SVGS[*]}"
