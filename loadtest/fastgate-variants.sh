# compare.sh's FastGate variants: peers that run FastGate with one thing changed, measured in the same rounds
# as `fastgate`, for the cost of the observability work (issue 10):
#   fastgate_base   the binary of BASELINE_REV (built with its own publish.sh in a temporary git worktree;
#                   BASE_KEEP=DIR keeps a copy of it and its symbols there, for profile.sh's BIN)
#   fastgate_trace  the current binary, [tracing] ratio 0.01 over OTLP/HTTP to a sink this script runs
#   fastgate_log    the current binary, the JSON access log to a file in the peer's run directory
#   fastgate_guarded the current binary, its cluster with active health checks, outlier detection and the
#                   circuit breaker on (issue 11: at most 3 % more CPU per request than fastgate)
# Source it after lib.sh; compare.sh calls the hooks variants_run_begins / variants_run_ends and variants_section.
# shellcheck shell=bash

FASTGATE_VARIANTS="fastgate_base fastgate_trace fastgate_log fastgate_guarded"
BASELINE_REV=${BASELINE_REV:-c113f73}
BASE_BIN=""             # the baseline's binary, copied out of its worktree
BASE_BUILD_ERROR=""
BASE_DESC=""            # "`c113f73` (2026-12-03: subject)"
BASE_WORKTREE=""
declare -A BASE_DROPPED=()   # sections of fastgate's config the baseline does not know, dropped from its config
OTLP_SINK_URL=""
OTLP_SINK_ERROR=""

# ---------------------------------------------------------------- the config lines of each variant (one place)
# fastgate_trace_toml ENDPOINT
fastgate_trace_toml() {
    cat <<EOF
[tracing]
sampler = "ratio"
ratio = 0.01
exporter = "otlp_http"
endpoint = "$1"
EOF
}

# fastgate_access_log_toml FILE
fastgate_access_log_toml() {
    cat <<EOF
[access_log]
output = "$1"
format = "json"
EOF
}

# fastgate_guarded_toml: the cluster's health check, outlier detection and breaker, as sub-tables of it.
fastgate_guarded_toml() {
    cat <<EOF
[clusters.backend.health]
type = "http"
path = "/healthz"
interval = "1s"
timeout = "1s"
[clusters.backend.outlier]
consecutive_failures = 5
[clusters.backend.circuit_breaker]
failure_rate = 50
window = "10s"
min_requests = 20
EOF
}

# toml_inline FUNCTION ARG: the lines FUNCTION prints, as "`[section]` `a = 1`, `b = 2`" (for the report).
toml_inline() { "$1" "$2" | awk 'NR == 1 {s = "`" $0 "`"; next} {s = s (NR == 2 ? " " : ", ") "`" $0 "`"} END {print s}'; }

has_peer() { [[ " $PEERS " == *" $1 "* ]]; }

# uses_current_fastgate: a peer in PEERS runs the current build (publish.sh's binary).
uses_current_fastgate() {
    local p
    for p in fastgate fastgate_trace fastgate_log fastgate_guarded fastgate_cache; do has_peer "$p" && return 0; done
    return 1
}

# ---------------------------------------------------------------- fastgate_base: the baseline build
build_fastgate_base() {
    local commit src="$TMP/baseline-src"
    if ! commit=$(git -C "$ROOT" rev-parse --verify -q "$BASELINE_REV^{commit}"); then
        BASE_BUILD_ERROR="BASELINE_REV=$BASELINE_REV is not a commit of $ROOT"
        log "fastgate_base: $BASE_BUILD_ERROR"
        return
    fi
    BASE_DESC="\`$(git -C "$ROOT" log -1 --format=%h "$commit")\` ($(git -C "$ROOT" log -1 --format='%cs: %s' "$commit" \
        | awk '{if (length($0) > 80) {$0 = substr($0, 1, 80); sub(/[ (,;:]+[^ ]*$/, ""); $0 = $0 " …"}; print}'))"
    log "building FastGate at $BASELINE_REV (publish.sh in a temporary worktree) for fastgate_base"
    if ! git -C "$ROOT" worktree add --detach -q "$src" "$commit" >"$TMP/build-baseline.log" 2>&1; then
        BASE_BUILD_ERROR="git worktree add $BASELINE_REV failed: $(tail -1 "$TMP/build-baseline.log")"
        log "fastgate_base: $BASE_BUILD_ERROR"
        return
    fi
    BASE_WORKTREE=$src
    # No build node left running with its working directory in the worktree about to be removed.
    if MSBUILDDISABLENODEREUSE=1 timeout 900 "$src/publish.sh" >>"$TMP/build-baseline.log" 2>&1 \
        && mkdir "$TMP/baseline-bin" && cp -p "$src/artifacts/fastgate/fastgate" "$TMP/baseline-bin/"; then
        # Its symbols, for profile.sh (perf finds the debug link beside the binary).
        [[ ! -f $src/artifacts/fastgate/fastgate.dbg ]] || cp -p "$src/artifacts/fastgate/fastgate.dbg" "$TMP/baseline-bin/"
        [[ -z ${BASE_KEEP:-} ]] || { mkdir -p "$BASE_KEEP" && cp -p "$TMP/baseline-bin/"* "$BASE_KEEP/"; }
        BASE_BIN=$TMP/baseline-bin/fastgate
    else
        tail -5 "$TMP/build-baseline.log" >&2 || true
        BASE_BUILD_ERROR="build of $BASELINE_REV failed"
        log "fastgate_base: $BASE_BUILD_ERROR; its row will be reported as failed"
    fi
    remove_baseline_worktree
}

remove_baseline_worktree() {
    [[ -n $BASE_WORKTREE ]] || return 0
    git -C "$ROOT" worktree remove --force "$BASE_WORKTREE" 2>/dev/null || {
        rm -rf "$BASE_WORKTREE"
        git -C "$ROOT" worktree prune
    }
    BASE_WORKTREE=""
}
CLEANUP_HOOKS+=(remove_baseline_worktree)

# drop_unknown_sections BINARY DIR: while BINARY's `validate` refuses DIR/fastgate.toml for unknown sections,
# drops those sections (remembered in BASE_DROPPED); fails with the first error in DIR/failure otherwise.
drop_unknown_sections() {
    local bin=$1 file=$2/fastgate.toml out section sections
    for _ in 1 2 3; do
        out=$("$bin" validate "$file" 2>&1) && return 0
        mapfile -t sections < <(sed -n 's/.*unknown section "\([^"]*\)".*/\1/p' <<<"$out" | sort -u)
        if ((${#sections[@]} == 0)); then
            echo "config refused: $(grep -m1 -v '^\s*$' <<<"$out")" >"$2/failure"
            return 1
        fi
        for section in "${sections[@]}"; do
            BASE_DROPPED[$section]=1
            awk -v s="$section" '/^\[/ {skip = ($0 == "[" s "]" || index($0, "[" s ".") == 1)} !skip' "$file" >"$file.new"
            mv "$file.new" "$file"
        done
    done
    echo "config refused after dropping sections: $(grep -m1 -v '^\s*$' <<<"$out")" >"$2/failure"
    return 1
}

start_fastgate_base() {
    prepare_fastgate "$1" "$2" "$BASE_BUILD_ERROR" && drop_unknown_sections "$BASE_BIN" "$1" && launch_fastgate "$BASE_BIN" "$1"
}

# ---------------------------------------------------------------- fastgate_trace: the OTLP sink
# start_otlp_sink: loadtest/otlp-sink.py on the load core (its CPU counted as ours there, with the upstreams).
start_otlp_sink() {
    local pid port=""
    taskset -c "$LOAD_CPU" python3 "$ROOT/loadtest/otlp-sink.py" "$TMP/otlp-sink.port" >"$TMP/otlp-sink.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    LOAD_CORE_PIDS+=("$pid")
    for _ in $(seq 100); do
        [[ ! -s $TMP/otlp-sink.port ]] || { read -r port <"$TMP/otlp-sink.port"; break; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $port ]] || ! port_open "127.0.0.1:$port"; then
        OTLP_SINK_ERROR="the OTLP sink did not start: $(tail -1 "$TMP/otlp-sink.log" 2>/dev/null)"
        log "fastgate_trace: $OTLP_SINK_ERROR"
        return
    fi
    OTLP_SINK_URL=http://127.0.0.1:$port/v1/traces
    log "OTLP sink on 127.0.0.1:$port (cpu $LOAD_CPU)"
}

# otlp_sink_totals: "posts bytes spans unreadable" the sink has received since it started.
otlp_sink_totals() {
    local line
    line=$(curl -s --max-time 5 "${OTLP_SINK_URL%/v1/traces}/stats" || true)
    [[ $line =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]] || line="0 0 0 0"
    echo "$line"
}

# validate_variant DIR WHAT: fails with "WHAT: <first error>" in DIR/failure when the current binary refuses
# DIR/fastgate.toml.
validate_variant() {
    local out
    out=$("$GATEWAY_BIN" validate "$1/fastgate.toml" 2>&1) && return 0
    echo "$2: $(grep -m1 -v '^\s*$' <<<"$out")" >"$1/failure"
    return 1
}

start_fastgate_trace() {
    prepare_fastgate "$1" "$2" "${GATEWAY_BUILD_ERROR:-$OTLP_SINK_ERROR}" fastgate_trace_toml "$OTLP_SINK_URL" \
        && validate_variant "$1" "the [tracing] lines are refused" && launch_fastgate "$GATEWAY_BIN" "$1"
}

# ---------------------------------------------------------------- fastgate_log
start_fastgate_log() {
    prepare_fastgate "$1" "$2" "$GATEWAY_BUILD_ERROR" fastgate_access_log_toml "$1/access.log" \
        && validate_variant "$1" "access log not in this build (the binary refuses the [access_log] lines)" \
        && launch_fastgate "$GATEWAY_BIN" "$1"
}

# ---------------------------------------------------------------- fastgate_guarded
start_fastgate_guarded() {
    prepare_fastgate "$1" "$2" "$GATEWAY_BUILD_ERROR" fastgate_guarded_toml "" \
        && validate_variant "$1" "health, outlier or circuit_breaker not in this build (the binary refuses those lines)" \
        && launch_fastgate "$GATEWAY_BIN" "$1"
}

# ---------------------------------------------------------------- per run: what the sink and the log received
declare -A SINK_BEGIN SINK_END LOG_LINES LOG_BYTES
variants_run_begins() {
    [[ -z $OTLP_SINK_URL ]] || SINK_BEGIN[$1]=$(otlp_sink_totals)
}

# variants_run_ends RUN: after the peers have stopped (so the exporter and the log writer have flushed).
variants_run_ends() {
    local log=$RUN_DIR/fastgate_log/access.log
    [[ -z $OTLP_SINK_URL ]] || SINK_END[$1]=$(otlp_sink_totals)
    if [[ -f $log ]]; then
        LOG_LINES[$1]=$(wc -l <"$log")
        LOG_BYTES[$1]=$(stat -c %s "$log")
    fi
}

# ---------------------------------------------------------------- report
# ratio_cost A B: "A ÷ B µs = R (+D µs, +P %)".
ratio_cost() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b + 0 <= 0) {print "n/a"; exit}
        printf "%s ÷ %s µs = %.2f (%+.1f µs, %+.1f %%)", a, b, a / b, a - b, (a / b - 1) * 100}'
}

# variant_line NUMERATOR DENOMINATOR: CPU, user and sys µs/req of NUMERATOR ÷ DENOMINATOR's (medians), and
# the CPU ratio round by round (summarize_run's MED_* maps; ROUND_CPU of measure_rounds).
variant_line() {
    local a=$1 b=$2
    echo "$a ÷ $b: CPU/req $(ratio_cost "${MED_CPU[$a]}" "${MED_CPU[$b]}"), round by round $(round_ratios ROUND_CPU "$b" "$a"); user $(cpu_ratio "${MED_USER[$a]}" "${MED_USER[$b]}"), sys $(cpu_ratio "${MED_SYS[$a]}" "${MED_SYS[$b]}")"
}

# variants_section RUN HEADING: the FastGate variants section of one run (nothing without a variant in PEERS).
variants_section() {
    local run=$1 h=$2 peer any="" served ok posts bytes spans unreadable
    for peer in $FASTGATE_VARIANTS; do has_peer "$peer" && any=1; done
    [[ -n $any ]] || return 0
    echo "$h FastGate variants"
    echo
    echo "FastGate with one thing changed, in the same rounds as \`fastgate\` (medians over the rounds; round by round: that round's CPU/req ÷ the other's in the same round). Requests served: those the load generator completed against the peer (warm-up, unrecorded and measured runs)."
    echo
    if has_peer fastgate_base; then
        local dropped=""
        ((${#BASE_DROPPED[@]} == 0)) || dropped=", config without [${!BASE_DROPPED[*]}] (unknown to that build)"
        echo "- **fastgate_base**: the build of ${BASE_DESC:-$BASELINE_REV} (\`BASELINE_REV\`)$dropped."
        if [[ -n ${MED_CPU[fastgate]:-} && -n ${MED_CPU[fastgate_base]:-} ]]; then
            ok=no
            le "${MED_CPU[fastgate]}" "$(awk -v b="${MED_CPU[fastgate_base]}" 'BEGIN {print b * 1.03}')" && ok=yes
            echo "  $(variant_line fastgate fastgate_base)."
            echo "  FastGate's CPU/req within 3 % of the baseline's (issue 10, tracing \`never\`, no access log; medians): $ok."
        else
            echo "  Not compared: ${FAILED[fastgate_base]:-${FAILED[fastgate]:-not measured}}."
        fi
    fi
    if has_peer fastgate_trace; then
        echo "- **fastgate_trace**: $(toml_inline fastgate_trace_toml "${OTLP_SINK_URL:-<sink>}") (the sink: \`loadtest/otlp-sink.py\` on cpu $LOAD_CPU, answering 200 to every post)."
        if [[ -n ${MED_CPU[fastgate]:-} && -n ${MED_CPU[fastgate_trace]:-} ]]; then
            echo "  $(variant_line fastgate_trace fastgate)."
        else
            echo "  Not compared: ${FAILED[fastgate_trace]:-${FAILED[fastgate]:-not measured}}."
        fi
        if [[ -n ${SINK_END[$run]:-} ]]; then
            read -r posts bytes spans unreadable < <(awk -v a="${SINK_BEGIN[$run]:-0 0 0 0}" -v b="${SINK_END[$run]}" \
                'BEGIN {split(a, x, " "); split(b, y, " "); for (i = 1; i <= 4; i++) printf "%d ", y[i] - x[i]; print ""}')
            served=${SERVED[fastgate_trace]:-0}
            echo "  The sink received, while the peers of this run were up: $posts posts, $bytes bytes, $spans spans$( ((unreadable == 0)) || echo " ($unreadable posts not readable)"); $(awk -v s="$spans" -v b="$bytes" -v r="$served" 'BEGIN {if (r > 0) printf "for %d requests served: %.4f spans and %.1f bytes per request (sampling 1 %% with a gateway and an upstream span each: 0.02 spans; fewer means spans dropped from the queue)", r, s / r, b / r; else print "no request served"}')."
        fi
    fi
    if has_peer fastgate_log; then
        echo "- **fastgate_log**: $(toml_inline fastgate_access_log_toml "<run dir>/fastgate_log/access.log")."
        if [[ -n ${MED_CPU[fastgate]:-} && -n ${MED_CPU[fastgate_log]:-} ]]; then
            echo "  $(variant_line fastgate_log fastgate)."
        else
            echo "  Not compared: ${FAILED[fastgate_log]:-${FAILED[fastgate]:-not measured}}."
        fi
        if [[ -n ${LOG_LINES[$run]:-} ]]; then
            served=${SERVED[fastgate_log]:-0}
            echo "  access.log: ${LOG_LINES[$run]} lines, ${LOG_BYTES[$run]} bytes$(awk -v l="${LOG_LINES[$run]}" -v b="${LOG_BYTES[$run]}" -v r="$served" 'BEGIN {if (r > 0) printf ", for %d requests served: %.3f lines per request (fewer than 1: lines dropped), %.0f bytes a line", r, l / r, (l > 0 ? b / l : 0)}')."
        fi
    fi
    if has_peer fastgate_guarded; then
        echo "- **fastgate_guarded**: $(fastgate_guarded_toml | awk '/^\[/ {printf "%s`%s`", (NR > 1 ? "; " : ""), $0; next} {printf " `%s`", $0}')."
        if [[ -n ${MED_CPU[fastgate]:-} && -n ${MED_CPU[fastgate_guarded]:-} ]]; then
            ok=no
            le "${MED_CPU[fastgate_guarded]}" "$(awk -v b="${MED_CPU[fastgate]}" 'BEGIN {print b * 1.03}')" && ok=yes
            echo "  $(variant_line fastgate_guarded fastgate)."
            echo "  Health checks, outlier detection and the breaker within 3 % more CPU/req (issue 11; medians): $ok."
        else
            echo "  Not compared: ${FAILED[fastgate_guarded]:-${FAILED[fastgate]:-not measured}}."
        fi
    fi
    echo
}
