#!/usr/bin/env bash
# Profile of one peer under the load of compare.sh: where its CPU goes (perf record -g), what the CPU does
# per request (perf stat), and which system calls it makes per request (perf trace -s, or strace -c -f).
#
#   loadtest/profile.sh                    # FastGate (the native binary of publish.sh)
#   PEER=nginx loadtest/profile.sh         # nginx or haproxy, for the same tables
#   BIN=/path/fastgate loadtest/profile.sh # another FastGate binary (its fastgate.dbg beside it, for symbols)
#   PEER=fastgate_base loadtest/profile.sh # the baseline build of fastgate-variants.sh (BASELINE_REV; or BIN)
#
# Environment: SKIP_PUBLISH=1 profiles the binary already in artifacts/fastgate; BIN a FastGate binary to profile instead (no publish); PEER [fastgate], SECONDS_PER_STEP [10], CONNECTIONS [64], WARMUP [20], OUT [loadtest/results/profile-PEER-TIME].
# Writes OUT/report.md (top symbols self and children, perf stat per request, syscalls per request) and keeps
# OUT/perf.data for `perf report -i`. FastGate's symbols come from artifacts/fastgate/fastgate.dbg beside the binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PEER=${PEER:-fastgate}
STEP=${SECONDS_PER_STEP:-10}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-20}
UPSTREAM_PORTS=(9021 9022)
PROXY_CPU=0
LOAD_CPU=1
LOADGEN=wrk
LOG_TAG=profile
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$ROOT/loadtest/results/profile-$PEER-$STAMP}
mkdir -p "$OUT"

# shellcheck source=loadtest/lib.sh
source "$ROOT/loadtest/lib.sh"
# shellcheck source=loadtest/fastgate-variants.sh
source "$ROOT/loadtest/fastgate-variants.sh"
lib_init fastgate-profile
command -v perf >/dev/null || { log "perf is not installed (apt-get install linux-perf)"; exit 1; }
command -v wrk >/dev/null || { log "wrk is not installed (apt-get install wrk)"; exit 1; }

build_upstream
if [[ $PEER == fastgate_base ]]; then
    PEERS=fastgate_base
    if [[ -n ${BIN:-} ]]; then BASE_BIN=$BIN; else build_fastgate_base; fi
    [[ -n $BASE_BIN ]] || { log "fastgate_base: ${BASE_BUILD_ERROR:-no binary}"; exit 1; }
elif [[ $PEER == fastgate && -n ${BIN:-} ]]; then
    GATEWAY_BIN=$BIN
elif [[ $PEER == fastgate && ${SKIP_PUBLISH:-0} != 1 ]]; then
    "$ROOT/publish.sh" >/dev/null
fi
start_upstreams
warm_upstreams 5
"start_$PEER" "$TMP" "127.0.0.1:8091" || { cat "$TMP/failure" >&2; exit 1; }
STARTED_PIDS+=("$PROXY_PID")
wait_listening "$PROXY_PID" 127.0.0.1:8091 15 || { log "$PEER did not start"; exit 1; }
URL=http://127.0.0.1:8091/
run_load "$WARMUP" "$TMP/warm.txt"
log "$PEER warmed: $RPS req/s"
mapfile -t PIDS < <(proxy_pids "$PROXY_PID")
PID_LIST=$(IFS=,; echo "${PIDS[*]}")

# perf stat: counters per request. Software counters always work; hardware ones only where the VM exposes them.
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$((STEP + 2))s" --latency "$URL" >"$TMP/stat-load.txt" 2>&1 &
sleep 1
perf stat -x, -e task-clock,context-switches,cpu-migrations,page-faults,cycles,instructions,branches,branch-misses,cache-misses \
    -p "$PID_LIST" -o "$OUT/perf-stat.csv" -- sleep "$STEP" || true
wait $! || true
STAT_RPS=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$TMP/stat-load.txt")

# perf record -g: call graphs (frame pointers; .NET's AOT code keeps them).
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$((STEP + 2))s" --latency "$URL" >"$TMP/record-load.txt" 2>&1 &
sleep 1
perf record -F 1999 -g -p "$PID_LIST" -o "$OUT/perf.data" -- sleep "$STEP" 2>"$TMP/record.err" || true
wait $! || true

# syscalls: strace -c over exactly one load run (strace slows the peer, so counts are per request, not per second).
TRACE_TOOL="strace -c -f"
if command -v strace >/dev/null; then
    strace -c -f $(printf -- '-p %s ' "${PIDS[@]}") -o "$OUT/syscalls.txt" 2>/dev/null &
    TRACE_PID=$!
    sleep 1
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${STEP}s" --latency "$URL" >"$TMP/trace-load.txt" 2>&1 || true
    kill -INT "$TRACE_PID" 2>/dev/null || true
    wait "$TRACE_PID" 2>/dev/null || true
else
    TRACE_TOOL="none (strace not installed)"
    : >"$OUT/syscalls.txt"
    : >"$TMP/trace-load.txt"
fi
TRACE_REQS=$(awk '/ requests in / {print $1}' "$TMP/trace-load.txt")

{
    echo "# Profile of $PEER, $STAMP"
    echo
    echo "Load: \`wrk -t1 -c$CONNECTIONS\` on cpu $LOAD_CPU, $PEER pinned to cpu $PROXY_CPU, two sample upstreams. ${STEP} s per step after ${WARMUP} s of warm-up."
    echo
    echo "## perf stat (per request, at $STAT_RPS req/s)"
    echo
    echo "| counter | total | per request |"
    echo "|---|---:|---:|"
    awk -F, -v n="$((STAT_RPS * STEP))" '$1 ~ /^[0-9.]+$/ {
        unit = ($2 == "msec") ? " (µs)" : ""; per = ($2 == "msec") ? $1 * 1000 / n : $1 / n
        printf "| %s%s | %s | %.3f |\n", $3, unit, $1, per }
        $1 ~ /not supported|not counted/ { printf "| %s | %s | |\n", $3, $1 }' "$OUT/perf-stat.csv"
    echo
    echo "## Top symbols, self (perf report --no-children)"
    echo
    echo '```'
    perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
    echo '```'
    echo
    echo "## Top symbols, with children (inclusive)"
    echo
    echo '```'
    perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none --percent-limit 2 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
    echo '```'
    echo
    echo "## System calls ($TRACE_TOOL; $TRACE_REQS requests during the trace, which slows the peer)"
    echo
    echo "| syscall | calls | per request |"
    echo "|---|---:|---:|"
    awk -v n="${TRACE_REQS:-0}" '$NF ~ /^[a-z_0-9]+$/ && $(NF-1) ~ /^[0-9]+$/ && n > 0 {
        calls = ($(NF-2) ~ /^[0-9]+$/ && NF >= 6) ? $(NF-2) : $(NF-1); printf "| %s | %s | %.2f |\n", $NF, calls, calls / n }' "$OUT/syscalls.txt" | head -20
} >"$OUT/report.md"
log "report: $OUT/report.md (perf data: $OUT/perf.data)"
