# compare.sh's cache-hit peers (issue 12: "cache-hit req/s on one core ≥ 0.9× the bare Kestrel handler that
# answers a fixed response, and ≥ nginx's proxy_cache hit req/s with the same object"):
#   fastgate_cache  the current binary, the benchmark route cached ([routes.all.cache], default_ttl 1h: the sample
#                   upstream sends no Cache-Control), checked to answer X-Cache: HIT before and after every
#                   measured run, with its hit ratio from /metrics (fastgate_cache_requests_total) per run
#   kestrel         peers/KestrelPeer: Kestrel and one request delegate answering the sample upstream's fixed 200
#   nginx_cache     nginx with proxy_cache (cache in the peer's run directory, proxy_cache_valid 200 1h,
#                   proxy_cache_lock on), X-Cache-Status: HIT checked before and after every measured run
# Source it after lib.sh and fastgate-variants.sh; compare.sh calls ready_<peer> once a peer answers,
# before_measure_<peer> / after_measure_<peer> around each measured run, and cache_section in the report.
# shellcheck shell=bash

CACHE_PEERS="fastgate_cache kestrel nginx_cache"
CACHE_STATUS_HEADER=X-Cache          # FastGate's default cache.status_header
NGINX_CACHE_STATUS_HEADER=X-Cache-Status
CACHE_ADMIN=""                       # fastgate_cache's admin listener (host:port), from its start-up line
declare -A CACHE_PROBE=()            # ["round peer"] = "HIT/HIT": the status header before / after the run
declare -A CACHE_COUNTS=()           # ["round"] = "hits misses bypasses" of fastgate_cache's measured run
declare -A CACHE_REQUESTS=()         # ["round"] = requests wrk completed in that run
CACHE_BEFORE=""

# ---------------------------------------------------------------- the config lines (one place)
fastgate_cache_toml() {
    cat <<EOF
[routes.all.cache]
enabled = true
default_ttl = "1h"
EOF
}

# nginx_cache_http_lines DIR / nginx_cache_location_lines: what nginx_cache adds to nginx's config.
nginx_cache_http_lines() {
    echo "    proxy_cache_path $1/cache levels=1:2 keys_zone=hits:10m max_size=64m inactive=1h use_temp_path=off;"
}
nginx_cache_location_lines() {
    cat <<EOF
            proxy_cache hits;
            proxy_cache_valid 200 1h;
            proxy_cache_lock on;
            add_header $NGINX_CACHE_STATUS_HEADER \$upstream_cache_status;
EOF
}

# ---------------------------------------------------------------- starting
start_fastgate_cache() {
    prepare_fastgate "$1" "$2" "$GATEWAY_BUILD_ERROR" fastgate_cache_toml "" \
        && validate_variant "$1" "the response cache not in this build (the binary refuses [routes.all.cache])" \
        && launch_fastgate "$GATEWAY_BIN" "$1"
}

start_nginx_cache() {
    start_nginx "$1" "$2" "$(nginx_cache_http_lines "$1")" "$(nginx_cache_location_lines)"
}

# cache_status URL HEADER: the value of HEADER in the answer to GET URL ('' when absent).
cache_status() {
    curl -s -o /dev/null -D - --max-time 5 "$1" 2>/dev/null \
        | awk -v h="$2" 'BEGIN {h = tolower(h)} {sub(/\r$/, "")} tolower(substr($0, 1, length(h) + 1)) == h ":" {v = substr($0, length(h) + 2); sub(/^ +/, "", v); print v; exit}' || true
}

# await_hit DIR URL HEADER: GETs URL until HEADER says HIT (up to 20 tries, 0.1 s apart); else DIR/failure.
await_hit() {
    local seen=""
    for _ in $(seq 20); do
        seen=$(cache_status "$2" "$3")
        [[ $seen != HIT ]] || return 0
        sleep 0.1
    done
    echo "GET / never answered $3: HIT (last: '${seen:-no $3 header}')" >"$1/failure"
    return 1
}

# ready_fastgate_cache DIR URL: its admin listener known, and the object a HIT (the smoke test's GET filled it).
ready_fastgate_cache() {
    CACHE_ADMIN=$(sed -n 's|^Admin: http://\([^ ]*\).*|\1|p' "$1/proxy.log" | head -1)
    if [[ -z $CACHE_ADMIN ]]; then
        echo "no 'Admin: http://...' line in its output (the hit ratio is read from /metrics)" >"$1/failure"
        return 1
    fi
    await_hit "$1" "$2" "$CACHE_STATUS_HEADER"
}

ready_nginx_cache() { await_hit "$1" "$2" "$NGINX_CACHE_STATUS_HEADER"; }

# ---------------------------------------------------------------- around each measured run
# cache_counters: "hits misses bypasses" of route all from fastgate_cache's /metrics.
cache_counters() {
    curl -s --max-time 5 "http://$CACHE_ADMIN/metrics" 2>/dev/null | awk '
        /^fastgate_cache_requests_total\{/ && /route="all"/ {
            o = $0; sub(/.*outcome="/, "", o); sub(/".*/, "", o); n[o] = $NF}
        END {printf "%d %d %d\n", n["hit"], n["miss"], n["bypass"]}' || true
}

# The probes run outside the CPU readings and the counter readings, so neither counts them.
before_measure_fastgate_cache() {
    CACHE_PROBE["$1 fastgate_cache"]=$(cache_status "$2" "$CACHE_STATUS_HEADER")
    CACHE_BEFORE=$(cache_counters)
}
after_measure_fastgate_cache() {
    CACHE_COUNTS[$1]=$(awk -v a="$CACHE_BEFORE" -v b="$(cache_counters)" \
        'BEGIN {split(a, x, " "); split(b, y, " "); printf "%d %d %d\n", y[1] - x[1], y[2] - x[2], y[3] - x[3]}')
    CACHE_REQUESTS[$1]=$REQUESTS
    CACHE_PROBE["$1 fastgate_cache"]+="/$(cache_status "$2" "$CACHE_STATUS_HEADER")"
}
before_measure_nginx_cache() { CACHE_PROBE["$1 nginx_cache"]=$(cache_status "$2" "$NGINX_CACHE_STATUS_HEADER"); }
after_measure_nginx_cache() { CACHE_PROBE["$1 nginx_cache"]+="/$(cache_status "$2" "$NGINX_CACHE_STATUS_HEADER")"; }

# ---------------------------------------------------------------- report
# probes_line PEER: "1: HIT/HIT, 2: HIT/HIT" (the status header before / after each measured run).
probes_line() {
    local r line=""
    for r in $(seq "$ROUNDS"); do line+="${line:+, }$r: ${CACHE_PROBE["$r $1"]:-not measured}"; done
    echo "$line"
}

# target_line A B TARGET: "A ÷ B req/s: medians X ÷ Y = R, target ≥ T: yes; round by round: 1: r1, ..."
target_line() {
    local a=$1 b=$2 ok=no ratio
    if [[ -z ${MED_RPS[$a]:-} || -z ${MED_RPS[$b]:-} ]]; then
        echo "$a ÷ $b req/s: not compared (${FAILED[$a]:-${FAILED[$b]:-not measured}})"
        return
    fi
    ratio=$(cpu_ratio "${MED_RPS[$a]}" "${MED_RPS[$b]}")
    awk -v r="$ratio" -v t="$3" 'BEGIN {exit !(r + 0 >= t + 0)}' && ok=yes
    echo "**$a ÷ $b req/s**: medians ${MED_RPS[$a]} ÷ ${MED_RPS[$b]} = **$ratio** (target ≥ $3: **$ok**); round by round $(round_ratios ROUND_RPS "$b" "$a")"
}

# cache_section RUN HEADING: the Cache hits section of one run (nothing without fastgate_cache in PEERS).
cache_section() {
    local h=$2 peer r hits misses bypasses requests line="" busy
    has_peer fastgate_cache || return 0
    echo "$h Cache hits"
    echo
    echo "Issue 12: cache-hit req/s on one core ≥ 0.9× the bare Kestrel handler that answers a fixed response, and ≥ nginx's \`proxy_cache\` hit req/s with the same object (the sample upstream's 200 \`Hello, World!\`, 13 bytes). The three cache peers answer without touching an upstream (nginx_cache from its cache file, in the page cache); \`nginx\`, when in PEERS, is the uncached proxy, for scale. Medians over the rounds, round by round the ratio in the same round."
    echo
    echo "- **fastgate_cache**: FastGate's config and $(toml_inline fastgate_cache_toml "") (the sample upstream sends no \`Cache-Control\`, so \`default_ttl\` gives the freshness)."
    echo "- **kestrel**: \`loadtest/peers/KestrelPeer\`, Kestrel's HTTP/1.1 server (sockets transport, inline scheduling, workstation non-concurrent GC, framework-dependent JIT with dynamic PGO) and one request delegate writing the fixed response: \`200\`, \`Content-Type: text/plain\`, \`Content-Length: 13\`, \`X-Upstream: <port>\`, \`Date\` (Kestrel's), \`Hello, World!\`."
    echo "- **nginx_cache**: nginx's config and \`$(nginx_cache_http_lines "<run dir>/nginx_cache" | sed 's/^ *//')\`; in the location $(nginx_cache_location_lines | sed 's/^ *//' | awk '{printf "%s`%s`", (NR > 1 ? ", " : ""), $0}')."
    echo
    echo "| peer | req/s | p99 ms | CPU µs/req | user µs/req | sys µs/req | core busy % | status header before/after each run |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for peer in $CACHE_PEERS nginx; do
        has_peer "$peer" || continue
        if [[ -z ${MED_RPS[$peer]:-} ]]; then
            echo "| $peer | failed: ${FAILED[$peer]:-not measured} | | | | | | |"
            continue
        fi
        busy=$(median 7 <<<"${RUNS[$peer]}")
        case $peer in
            fastgate_cache) line="X-Cache: $(probes_line "$peer")" ;;
            nginx_cache) line="X-Cache-Status: $(probes_line "$peer")" ;;
            *) line="" ;;
        esac
        echo "| $peer | ${MED_RPS[$peer]} | ${MED_P99[$peer]} | ${MED_CPU[$peer]} | ${MED_USER[$peer]} | ${MED_SYS[$peer]} | $busy | $line |"
    done
    echo
    echo "- $(target_line fastgate_cache kestrel 0.9)."
    echo "- $(target_line fastgate_cache nginx_cache 1.0)."
    for peer in kestrel nginx_cache; do
        [[ -n ${MED_CPU[fastgate_cache]:-} && -n ${MED_CPU[$peer]:-} ]] || continue
        echo "- $(variant_line fastgate_cache "$peer")."
    done
    line=""
    for r in $(seq "$ROUNDS"); do
        if [[ -z ${CACHE_COUNTS[$r]:-} ]]; then
            line+="${line:+; }$r: not measured"
            continue
        fi
        read -r hits misses bypasses <<<"${CACHE_COUNTS[$r]}"
        requests=${CACHE_REQUESTS[$r]}
        line+="${line:+; }$r: $(awk -v h="$hits" -v m="$misses" -v b="$bypasses" -v n="$requests" \
            'BEGIN {t = h + m + b; printf "%d hits of %d lookups (%s), %d misses, %d bypasses, %d requests completed", h, t, (t > 0 ? sprintf("%.3f %%", h / t * 100) : "n/a"), m, b, n}')"
    done
    echo "- fastgate_cache hit ratio per measured run (\`fastgate_cache_requests_total{route=\"all\"}\` from \`/metrics\` just before and just after; lookups exceed the requests completed by those in flight when wrk stopped): $line."
    echo "- Core busy (CPU µs/req × req/s, cpu $PROXY_CPU): well below 100 %, the load core rather than the peer set the pace, and a req/s ratio then says less than the CPU µs/req ratio."
    echo
}

# cache_setup_line: the Setup line on these peers (nothing when none is in PEERS).
cache_setup_line() {
    local p any=""
    for p in $CACHE_PEERS; do has_peer "$p" && any=1; done
    [[ -n $any ]] || return 0
    echo "- Cache hits: fastgate_cache, kestrel and nginx_cache as under Cache hits; each answers without touching an upstream."
}
