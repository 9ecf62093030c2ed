# Shared by loadtest/run.sh and loadtest/compare.sh: process handling, prerequisites, builds,
# the sample upstreams, proxy starters, /proc accounting and the load generators.
# Source it after setting ROOT, PROXY_CPU, LOAD_CPU, CONNECTIONS and UPSTREAM_PORTS; then call lib_init.
# shellcheck shell=bash

UPSTREAM_DLL=$ROOT/loadtest/FastGate.SampleUpstream/bin/Release/net10.0/sample-upstream.dll
GATEWAY_BIN=$ROOT/artifacts/fastgate/fastgate   # the native binary from publish.sh, as shipped
YARP_DIR=$ROOT/loadtest/peers/YarpPeer
YARP_DLL=$YARP_DIR/bin/Release/net10.0/yarp-peer.dll
KESTREL_DIR=$ROOT/loadtest/peers/KestrelPeer
KESTREL_DLL=$KESTREL_DIR/bin/Release/net10.0/kestrel-peer.dll
LOG_TAG=${LOG_TAG:-loadtest}

log() { echo "[$LOG_TAG] $*" >&2; }

# ---------------------------------------------------------------- processes and cleanup
STARTED_PIDS=()
LOAD_CORE_PIDS=()   # ours on the load core besides the load generator: the sample upstreams (and compare.sh's OTLP sink)
LOAD_PID=""
CLK_TCK=$(getconf CLK_TCK)

# lib_init TMP_PREFIX: makes $TMP and installs the traps that stop every process started.
lib_init() {
    TMP=$(mktemp -d "/tmp/$1.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

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

# stop_started PID: stop_pid, and forget PID, so that cleanup (perhaps much later) never signals a
# process that has since been given the same number.
stop_started() {
    local pid kept=()
    stop_pid "$1"
    for pid in "${STARTED_PIDS[@]}"; do
        [[ $pid == "$1" ]] || kept+=("$pid")
    done
    STARTED_PIDS=("${kept[@]}")
}

CLEANUP_HOOKS=()    # commands cleanup runs first (e.g. compare.sh removing a git worktree it made)

cleanup() {
    local pid hook
    for hook in "${CLEANUP_HOOKS[@]}"; do "$hook" || true; done
    [[ -z ${LOAD_PID:-} ]] || stop_pid "$LOAD_PID"
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    [[ -z ${TMP:-} ]] || rm -rf "$TMP"
}

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

# smoke_test URL: succeeds when GET answers 200 "Hello, World!"; else prints what came back.
smoke_test() {
    local body status
    body=$(mktemp "$TMP/smoke.XXXXXX")
    status=$(curl -s -o "$body" -w '%{http_code}' --max-time 5 "$1" || true)
    if [[ $status == 200 && $(cat "$body") == "Hello, World!" ]]; then
        return 0
    fi
    echo "GET / answered '${status:-nothing}' instead of 200 Hello, World!"
    return 1
}

# ---------------------------------------------------------------- prerequisites
# pick_loadgen DEFAULT_ORDER...: sets LOADGEN (unless set) to the first tool on PATH; if none is,
# to the first one apt-get can install (not bombardier, which is not in Debian).
pick_loadgen() {
    local tool
    if [[ -z ${LOADGEN:-} ]]; then
        for tool in "$@"; do
            if command -v "$tool" >/dev/null && { [[ $tool != bombardier ]] || is_http_bombardier; }; then
                LOADGEN=$tool
                break
            fi
        done
        if [[ -z ${LOADGEN:-} ]]; then
            for tool in "$@"; do
                [[ $tool == bombardier ]] || { LOADGEN=$tool; break; }
            done
        fi
        LOADGEN=${LOADGEN:-$1}
    fi
    [[ $LOADGEN == wrk || $LOADGEN == hey || $LOADGEN == bombardier ]] \
        || { log "LOADGEN must be wrk, hey or bombardier"; exit 1; }
}

# Debian's bombardier package is a game; the HTTP tool answers --help with its flags.
is_http_bombardier() { bombardier --help 2>&1 | grep -q -- '--connections'; }

# install_missing CMD=PACKAGE...: apt-get installs the packages whose command is missing.
install_missing() {
    local spec cmd pkgs=()
    for spec in "$@"; do
        cmd=${spec%%=*}
        command -v "$cmd" >/dev/null || [[ -x /usr/sbin/$cmd ]] || pkgs+=("${spec#*=}")
    done
    ((${#pkgs[@]} == 0)) && return 0
    if [[ " ${pkgs[*]} " == *" bombardier "* ]]; then
        log "bombardier (the Go HTTP benchmark) is not in Debian; install it yourself or use LOADGEN=wrk"
        exit 1
    fi
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    log "installing ${pkgs[*]} with apt-get"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

# check_cpus: on a 1-CPU machine everything shares core 0.
check_cpus() {
    if (($(getconf _NPROCESSORS_ONLN) < 2)); then
        log "only one CPU: proxy, upstreams and load generator will share it"
        LOAD_CPU=0
    fi
}

# ---------------------------------------------------------------- builds
# dotnet_build PROJECT LOGFILE: a bounded Release build; prints the first errors on failure.
dotnet_build() {
    if timeout 900 dotnet build "$1" -c Release -nologo -v quiet >"$2" 2>&1; then
        return 0
    fi
    grep -E ": error " "$2" | sort -u | head -5 >&2 || tail -5 "$2" >&2 || true
    return 1
}

build_upstream() {
    log "building sample upstream (Release)"
    dotnet_build "$ROOT/loadtest/FastGate.SampleUpstream" "$TMP/build-upstream.log" \
        || { log "sample upstream build failed"; exit 1; }
}

# build_fastgate: sets GATEWAY_BUILD_ERROR when the build fails (the row is then reported as failed).
GATEWAY_BUILD_ERROR=""
build_fastgate() {
    log "building FastGate (publish.sh: Native AOT, Release)"
    if ! timeout 900 "$ROOT/publish.sh" >"$TMP/build-gateway.log" 2>&1; then
        tail -5 "$TMP/build-gateway.log" >&2 || true
        GATEWAY_BUILD_ERROR="build failed"
        log "FastGate build failed; its row will be reported as failed"
    fi
}

YARP_BUILD_ERROR=""
build_yarp() {
    log "building the YARP peer (Release; restores Yarp.ReverseProxy from NuGet)"
    if ! dotnet_build "$YARP_DIR" "$TMP/build-yarp.log"; then
        YARP_BUILD_ERROR="build failed"
        log "YARP peer build failed; its row will be reported as failed"
    fi
}

KESTREL_BUILD_ERROR=""
build_kestrel() {
    log "building the bare Kestrel peer (Release, framework-dependent)"
    if ! dotnet_build "$KESTREL_DIR" "$TMP/build-kestrel.log"; then
        KESTREL_BUILD_ERROR="build failed"
        log "Kestrel peer build failed; its row will be reported as failed"
    fi
}

# ---------------------------------------------------------------- upstreams
start_upstreams() {
    local port
    for port in "${UPSTREAM_PORTS[@]}"; do
        if port_open "127.0.0.1:$port"; then
            log "127.0.0.1:$port is already in use"
            exit 1
        fi
    done
    for port in "${UPSTREAM_PORTS[@]}"; do
        taskset -c "$LOAD_CPU" dotnet "$UPSTREAM_DLL" --host 127.0.0.1 --port "$port" >"$TMP/upstream-$port.log" 2>&1 &
        STARTED_PIDS+=($!)
        LOAD_CORE_PIDS+=($!)
        wait_listening "$!" "127.0.0.1:$port" 15 || { cat "$TMP/upstream-$port.log" >&2; log "upstream $port did not start"; exit 1; }
    done
    log "sample upstreams on ${UPSTREAM_PORTS[*]} (cpu $LOAD_CPU)"
}

# warm_upstreams SECONDS: load each sample upstream directly, so that the first proxy measured (and its
# start-up trace) does not pay for the upstreams' own JIT warm-up.
warm_upstreams() {
    local port
    for port in "${UPSTREAM_PORTS[@]}"; do
        run_load "$1" "$TMP/warm-upstream-$port.txt" "http://127.0.0.1:$port/"
        log "upstream $port warmed: $RPS req/s direct after ${1} s"
    done
}

# ---------------------------------------------------------------- proxies
# start_<proxy> DIR LISTEN: starts the proxy pinned to PROXY_CPU in the background, in the
# foreground mode of that proxy (no daemon), and sets PROXY_PID; or writes a reason to DIR/failure
# and returns 1.

# fastgate_toml LISTEN: the config every FastGate peer runs (compare.sh's variants add their lines after it).
fastgate_toml() {
    cat <<EOF
[server]
listen = ["$1"]
transport = "${FASTGATE_TRANSPORT:-epoll}"

[limits]
header_timeout = "10s"

[clusters.backend]
destinations = ["127.0.0.1:${UPSTREAM_PORTS[0]}", "127.0.0.1:${UPSTREAM_PORTS[1]}"]
balancer = "round_robin"

[routes.all]
path = "/{**rest}"
cluster = "backend"

[admin]
listen = "127.0.0.1:0"
EOF
}

# launch_fastgate BINARY DIR: runs BINARY with DIR/fastgate.toml, pinned to PROXY_CPU; sets PROXY_PID.
launch_fastgate() {
    taskset -c "$PROXY_CPU" "$1" --config "$2/fastgate.toml" >"$2/proxy.log" 2>&1 &
    PROXY_PID=$!
}

# prepare_fastgate DIR LISTEN BUILD_ERROR [LINES ARG]: writes DIR/fastgate.toml, fastgate_toml LISTEN and then
# what the function LINES prints for ARG; or, when BUILD_ERROR is not empty, writes it to DIR/failure and fails.
prepare_fastgate() {
    if [[ -n $3 ]]; then
        echo "$3" >"$1/failure"
        return 1
    fi
    { fastgate_toml "$2"; [[ -z ${4:-} ]] || { echo; "$4" "$5"; }; } >"$1/fastgate.toml"
}

start_fastgate() { prepare_fastgate "$1" "$2" "$GATEWAY_BUILD_ERROR" && launch_fastgate "$GATEWAY_BIN" "$1"; }

# nginx_conf DIR LISTEN [HTTP_LINES [LOCATION_LINES]]: nginx's config, with HTTP_LINES added to the http block
# and LOCATION_LINES to the location (compare.sh's nginx_cache adds its proxy_cache lines there).
nginx_conf() {
    local dir=$1 listen=$2
    # keepalive_requests is raised from nginx's default of 1000 so the run measures steady-state
    # keep-alive rather than nginx closing each connection every 1000 requests.
    cat <<EOF
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
${3:+$3
}
    upstream backend {
        server 127.0.0.1:${UPSTREAM_PORTS[0]};
        server 127.0.0.1:${UPSTREAM_PORTS[1]};
        keepalive 64;
        keepalive_requests 1000000;
    }

    server {
        listen $listen;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
${4:+$4
}        }
    }
}
EOF
}

# start_nginx DIR LISTEN [HTTP_LINES [LOCATION_LINES]]
start_nginx() {
    local dir=$1 listen=$2 nginx
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    mkdir -p "$dir/temp"
    # Started as root, nginx's worker runs as nobody and must reach its temp paths.
    chmod 755 "$TMP" "$dir"
    nginx_conf "$dir" "$listen" "${3:-}" "${4:-}" >"$dir/nginx.conf"
    taskset -c "$PROXY_CPU" "$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off;" \
        >"$dir/proxy.log" 2>&1 &
    PROXY_PID=$!
}

start_haproxy() {
    local dir=$1 listen=$2
    # One thread, no logging, idle upstream connections shared between client connections.
    cat >"$dir/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4096

defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 75s

frontend fe
    bind $listen
    default_backend be

backend be
    balance roundrobin
    server u1 127.0.0.1:${UPSTREAM_PORTS[0]}
    server u2 127.0.0.1:${UPSTREAM_PORTS[1]}
EOF
    taskset -c "$PROXY_CPU" haproxy -db -f "$dir/haproxy.cfg" >"$dir/proxy.log" 2>&1 &
    PROXY_PID=$!
}

start_yarp() {
    local dir=$1 listen=$2
    if [[ -n $YARP_BUILD_ERROR ]]; then
        echo "$YARP_BUILD_ERROR" >"$dir/failure"
        return 1
    fi
    taskset -c "$PROXY_CPU" dotnet "$YARP_DLL" --listen "$listen" \
        --upstream "127.0.0.1:${UPSTREAM_PORTS[0]},127.0.0.1:${UPSTREAM_PORTS[1]}" >"$dir/proxy.log" 2>&1 &
    PROXY_PID=$!
}

start_kestrel() {
    local dir=$1 listen=$2
    if [[ -n $KESTREL_BUILD_ERROR ]]; then
        echo "$KESTREL_BUILD_ERROR" >"$dir/failure"
        return 1
    fi
    taskset -c "$PROXY_CPU" dotnet "$KESTREL_DLL" --listen "$listen" >"$dir/proxy.log" 2>&1 &
    PROXY_PID=$!
}

# ---------------------------------------------------------------- /proc accounting
# The proxy's processes: the main PID and its children (nginx's worker runs under the master).
proxy_pids() {
    echo "$1"
    pgrep -P "$1" || true
}

# cpu_user_sys PIDS... -> "utime stime": clock ticks summed over the given PIDs (fields 14 and 15 of
# /proc/PID/stat; the comm field may contain spaces, so cut everything up to the last ')').
cpu_user_sys() {
    local pid user=0 sys=0 stat
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        read -r -a f <<<"$stat"
        user=$((user + f[11]))
        sys=$((sys + f[12]))
    done
    echo "$user $sys"
}

# Sum of utime+stime in clock ticks over the given PIDs.
cpu_ticks() {
    local user sys
    read -r user sys < <(cpu_user_sys "$@")
    echo $((user + sys))
}

# Busy ticks (user+nice+system) of one core from /proc/stat. Interrupt and softirq time is left
# out: loopback networking lands there and is not "other load".
core_busy() {
    awk -v cpu="cpu$1" '$1 == cpu {print $2 + $3 + $4}' /proc/stat
}

# cpu_snapshot PIDS...: a point-in-time reading: wall ns, ticks of PIDS (the proxy under test),
# ticks of LOAD_CORE_PIDS, reaped-children ticks of this shell (the load generator, once waited for), busy
# ticks of the proxy core and of the load core, ticks of OWN_PROXY_PIDS (every proxy process
# of this test on the proxy core, idle ones included; defaults to PIDS), then the user and the
# system ticks of PIDS (fields 8 and 9; their sum is field 2, from the same reading).
cpu_snapshot() {
    local self own user sys
    self=$(cat "/proc/$$/stat")
    self=${self##*) }
    read -r -a f <<<"$self"
    if [[ -n ${OWN_PROXY_PIDS+x} && ${#OWN_PROXY_PIDS[@]} -gt 0 ]]; then
        own=$(cpu_ticks "${OWN_PROXY_PIDS[@]}")
    else
        own=$(cpu_ticks "$@")
    fi
    read -r user sys < <(cpu_user_sys "$@")
    echo "$(date +%s%N) $((user + sys)) $(cpu_ticks "${LOAD_CORE_PIDS[@]}") $((f[13] + f[14])) $(core_busy "$PROXY_CPU") $(core_busy "$LOAD_CPU") $own $user $sys"
}

# The clock-tick conversion both figure functions use: ticks over n requests -> µs per request.
US_PER_REQ_AWK='function us_per_req(ticks, n) {return n > 0 ? ticks / hz * 1e6 / n : 0}'

# cpu_figures BEFORE AFTER REQUESTS -> "cpu_us_per_request other_load_proxy_core_% other_load_load_core_%"
# "Other" is what the core spent on processes that are not part of this test (e.g. a build).
cpu_figures() {
    awk -v hz="$CLK_TCK" -v n="$3" -v a="$1" -v b="$2" "$US_PER_REQ_AWK"'
    BEGIN {
        split(a, x, " "); split(b, y, " ")
        wall = (y[1] - x[1]) / 1e9 * hz
        proxy = y[2] - x[2]; up = y[3] - x[3]; self = y[4] - x[4]; own = y[7] - x[7]
        o0 = (y[5] - x[5] - own) / wall * 100
        o1 = (y[6] - x[6] - up - self) / wall * 100
        printf "%.1f %.0f %.0f\n", us_per_req(proxy, n), (o0 < 0 ? 0 : o0), (o1 < 0 ? 0 : o1)
    }'
}

# cpu_split_figures BEFORE AFTER REQUESTS -> "user_us_per_request system_us_per_request": utime and
# stime of the proxy under test, each on its own (their sum is cpu_figures' first figure, give or take
# the rounding to 0.1 µs).
cpu_split_figures() {
    awk -v hz="$CLK_TCK" -v n="$3" -v a="$1" -v b="$2" "$US_PER_REQ_AWK"'
    BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "%.1f %.1f\n", us_per_req(y[8] - x[8], n), us_per_req(y[9] - x[9], n)
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
# run_load SECONDS OUTFILE [URL] — sets RPS, REQUESTS, P50_MS, P99_MS, ERRORS.
# Must run in the main shell (not in $(...)): the load generator's CPU is read from this shell's
# reaped-children ticks.
run_load() { "run_$LOADGEN" "$1" "$2" "${3:-$URL}"; }

# The load generator runs in the background so INT/TERM reach our trap at once (bash defers traps
# while a foreground child runs); cleanup stops it through LOAD_PID. `timeout` bounds a stuck run.
wait_load() {
    LOAD_PID=$1
    wait "$LOAD_PID" || true
    LOAD_PID=""
}

load_command() {
    local url=${2:-$URL}
    case $LOADGEN in
        wrk) echo "wrk -t1 -c$CONNECTIONS -d${1}s --latency $url" ;;
        hey) echo "hey -z ${1}s -c $CONNECTIONS $url" ;;
        bombardier) echo "bombardier -c $CONNECTIONS -d ${1}s --latency -p r $url" ;;
    esac
}

loadgen_version() {
    case $LOADGEN in
        wrk) { wrk -v 2>&1 || true; } | awk 'NR == 1 {print $1, $2}' ;;
        hey) echo hey ;;
        bombardier) { bombardier --version 2>&1 || true; } | head -1 ;;
    esac
}

run_wrk() {
    local seconds=$1 out=$2 url=$3
    taskset -c "$LOAD_CPU" timeout -k 5 $((seconds + 30)) wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency "$url" >"$out" 2>&1 &
    wait_load $!
    parse_wrk "$out"
}

# parse_wrk OUTFILE: RPS, REQUESTS, P50_MS, P99_MS, ERRORS from wrk's report.
parse_wrk() {
    local out=$1
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
    local seconds=$1 out=$2 url=$3
    taskset -c "$LOAD_CPU" timeout -k 5 $((seconds + 30)) hey -z "${seconds}s" -c "$CONNECTIONS" "$url" >"$out" 2>&1 &
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

# bombardier's text result (-p r): "Reqs/sec  AVG  STDEV  MAX", "50%  1.23ms" under
# "Latency Distribution", "1xx - 0, 2xx - N, 3xx - 0, 4xx - 0, 5xx - 0" and "others - N".
run_bombardier() {
    local seconds=$1 out=$2 url=$3
    taskset -c "$LOAD_CPU" timeout -k 5 $((seconds + 30)) bombardier -c "$CONNECTIONS" -d "${seconds}s" --latency -p r "$url" >"$out" 2>&1 &
    wait_load $!
    RPS=$(awk '$1 == "Reqs/sec" {printf "%d", $2; exit}' "$out")
    REQUESTS=$(awk '/[1-5]xx - / {gsub(",", ""); for (i = 1; i < NF; i++) if ($i ~ /^[1-5]xx$/) n += $(i + 2)}
                    END {print n + 0}' "$out")
    P50_MS=$(latency_ms 50% "$out")
    P99_MS=$(latency_ms 99% "$out")
    ERRORS=$(awk '/[1-5]xx - / {gsub(",", ""); for (i = 1; i < NF; i++) if ($i ~ /^[45]xx$/) n += $(i + 2)}
                  /others - / {gsub(",", ""); for (i = 1; i < NF; i++) if ($i == "others") n += $(i + 2)}
                  END {print n + 0}' "$out")
    RPS=${RPS:-0}
}

# wrk and bombardier print latencies as e.g. 667.00us, 1.23ms, 1.01s (the first match is used).
latency_ms() {
    awk -v pct="$1" '$1 == pct && !done {
        v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-zµ]+$/, "", v)
        if (unit == "us" || unit == "µs") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
        printf "%.2f", v; done = 1 }' "$2"
}

# ---------------------------------------------------------------- throughput windows (wrk)
# The requests wrk sends in each window of a run, read without touching wrk, the proxy or the upstreams:
# wrk writes each request with one write(2) of a fixed size, and /proc/PID/io's wchar counts the bytes a
# process has written (sockets included). While wrk runs, this shell reads wchar every WINDOW seconds
# and starts no process to do so (no sleep, no cat: read -t on a FIFO, $EPOCHREALTIME, read < /proc).

# wrk_request_bytes URL: the size of the request wrk sends to URL without a script:
# "GET <path> HTTP/1.1\r\nHost: <host:port>\r\n\r\n" (41 bytes for http://127.0.0.1:8081/).
wrk_request_bytes() {
    local rest=${1#*://} authority path
    authority=${rest%%/*}
    path=${rest#"$authority"}
    path=${path:-/}
    echo $((4 + ${#path} + 11 + 6 + ${#authority} + 4))
}

# pause_us MICROSECONDS: sleeps without starting a process (read -t on a FIFO nobody writes to).
PAUSE_FD=""
pause_us() {
    local s
    (($1 > 0)) || return 0
    if [[ -z $PAUSE_FD ]]; then
        mkfifo "$TMP/pause.fifo"
        exec {PAUSE_FD}<>"$TMP/pause.fifo"
        rm -f "$TMP/pause.fifo"
    fi
    printf -v s '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000))
    read -r -t "$s" -u "$PAUSE_FD" _ || true
}

# read_wchar FILE: sets WCHAR to the wchar line of FILE (a /proc/PID/io), '' when it cannot be read.
read_wchar() {
    local key val
    WCHAR=""
    { while read -r key val; do [[ $key != wchar: ]] || WCHAR=$val; done <"$1"; } 2>/dev/null || true
}

# child_of PID: sets CHILD to a child process of PID, '' when there is none (yet).
child_of() {
    CHILD=""
    if [[ -r /proc/$1/task/$1/children ]]; then
        read -r CHILD _ <"/proc/$1/task/$1/children" 2>/dev/null || true
    else
        CHILD=$(pgrep -P "$1" | head -1 || true)
    fi
}

# run_wrk_windows SECONDS WINDOW OUTFILE URL: one wrk run of SECONDS, exactly as run_wrk (its latency
# figures are the whole run's), and sets what run_wrk sets plus, when SECONDS is a multiple of WINDOW
# (seconds, a fraction allowed, e.g. 0.25):
#   WINDOW_RPS     requests sent per second in each WINDOW-second window, e.g. "31204 30811 29930"
#   WINDOW_MAXMIN  the highest window ÷ the lowest, to two decimals
#   WINDOW_SENT    requests sent in all windows together: REQUESTS plus those in flight when wrk stopped
#   WINDOW_BYTES   the request size used
# or '' for all four when wrk's counter could not be read. A window's requests are the growth of wrk's
# wchar ÷ WINDOW_BYTES; its length is measured ($EPOCHREALTIME at each reading). The first window begins
# just before wrk starts; the last ends when wrk has exited, and its count comes from the shell wrk runs
# under: once that shell has reaped wrk, its own /proc/PID/io includes wrk's, which is read then, less
# wrk's report (written to OUTFILE).
run_wrk_windows() {
    local seconds=$1 window=$2 out=$3 url=$4 n k t0 tries sh_pid="" wrk_pid="" comm total samples=() window_us
    WINDOW_RPS="" WINDOW_MAXMIN="" WINDOW_SENT=""
    WINDOW_BYTES=$(wrk_request_bytes "$url")
    window_us=$(awk -v w="$window" 'BEGIN {printf "%d", w * 1e6}') # WINDOW may be a fraction of a second
    n=$((seconds * 1000000 / window_us))
    t0=${EPOCHREALTIME//[!0-9]/}
    # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
    taskset -c "$LOAD_CPU" timeout -k 5 $((seconds + 30)) \
        sh -c 'wrk "$@" >"$0" 2>&1; exec cat /proc/self/io' "$out" -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency "$url" \
        >"$out.io" 2>&1 &
    LOAD_PID=$!
    samples+=("$t0 0")
    # timeout (LOAD_PID, after taskset's exec) -> sh -> wrk; found within a few ms.
    for ((tries = 0; tries < 200; tries++)); do
        [[ -n $sh_pid ]] || { child_of "$LOAD_PID"; sh_pid=$CHILD; }
        if [[ -n $sh_pid ]]; then
            child_of "$sh_pid"
            comm=""
            [[ -z $CHILD ]] || read -r comm <"/proc/$CHILD/comm" 2>/dev/null || true
            if [[ $comm == wrk ]]; then
                wrk_pid=$CHILD
                break
            fi
        fi
        pause_us 10000
    done
    if [[ -n $wrk_pid ]] && ((seconds * 1000000 % window_us == 0)); then
        for ((k = 1; k < n; k++)); do
            pause_us $((t0 + k * window_us - ${EPOCHREALTIME//[!0-9]/}))
            read_wchar "/proc/$wrk_pid/io"
            [[ -n $WCHAR ]] || { wrk_pid=""; break; }
            samples+=("${EPOCHREALTIME//[!0-9]/} $WCHAR")
        done
    fi
    wait "$LOAD_PID" || true
    LOAD_PID=""
    samples+=("${EPOCHREALTIME//[!0-9]/} 0")
    parse_wrk "$out"
    read_wchar "$out.io"
    [[ -n $wrk_pid && -n $WCHAR ]] || return 0
    total=$((WCHAR - $(wc -c <"$out")))
    samples[-1]="${samples[-1]% *} $total"
    # shellcheck disable=SC2034 # read by the caller
    read -r WINDOW_MAXMIN WINDOW_SENT WINDOW_RPS < <(printf '%s\n' "${samples[@]}" | awk -v per="$WINDOW_BYTES" '
        NR == 1 {t = $1; b = $2; next}
        {
            r = ($2 - b) / per / (($1 - t) / 1e6)
            rates = rates (NR > 2 ? " " : "") sprintf("%.0f", r)
            if (NR == 2 || r > hi) hi = r
            if (NR == 2 || r < lo) lo = r
            t = $1; b = $2
        }
        END {printf "%s %.0f %s\n", (lo > 0 ? sprintf("%.2f", hi / lo) : "inf"), b / per, rates}')
}
