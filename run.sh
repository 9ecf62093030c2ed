#!/usr/bin/env bash
# Command 1: build everything, start the sample upstreams on 127.0.0.1:9001 and :9002,
# and run FastGate in the foreground. Arguments are passed to fastgate (default: --config ./config.toml).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

UPSTREAM_PORTS=(9001 9002)
UPSTREAM_DLL=loadtest/FastGate.SampleUpstream/bin/Release/net10.0/sample-upstream.dll

if [[ $# -eq 0 ]]; then
    if [[ ! -f config.toml ]]; then
        echo "run.sh: ./config.toml not found; pass your own: ./run.sh --config FILE" >&2
        exit 1
    fi
    set -- --config ./config.toml
fi

echo "Building (Release)..."
dotnet build loadtest/FastGate.SampleUpstream -c Release -nologo -v quiet
# The native binary (publish.sh); without a C toolchain that can be installed, the framework-dependent build.
if gateway=$(./publish.sh); then
    gateway_cmd=("$gateway")
else
    echo "run.sh: the native build failed (above); running the framework-dependent build instead" >&2
    dotnet build src/FastGate.Host -c Release -nologo -v quiet
    gateway_cmd=(dotnet src/FastGate.Host/bin/Release/net10.0/fastgate.dll)
fi

for port in "${UPSTREAM_PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "run.sh: 127.0.0.1:$port is already in use" >&2
        exit 1
    fi
done

upstream_pid=""
gateway_pid=""
stop() {
    if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    stop "$gateway_pid"
    stop "$upstream_pid"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet "$UPSTREAM_DLL" --host 127.0.0.1 --port "$(IFS=,; echo "${UPSTREAM_PORTS[*]}")" &
upstream_pid=$!

for port in "${UPSTREAM_PORTS[@]}"; do
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue 2
        kill -0 "$upstream_pid" 2>/dev/null || { echo "run.sh: sample upstream exited" >&2; exit 1; }
        sleep 0.1
    done
    echo "run.sh: sample upstream did not accept on 127.0.0.1:$port within 10 s" >&2
    exit 1
done

# A token for config.toml's demo_jwt policy (sub demo-user, scope read, expires 2100-01-01).
DEMO_TOKEN="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJmYXN0Z2F0ZS1kZW1vIiwiYXVkIjoic2FtcGxlIiwic3ViIjoiZGVtby11c2VyIiwic2NvcGUiOiJyZWFkIiwiZXhwIjo0MTAyNDQ0ODAwfQ.8z5_TCvuFghBAfXHsl8x1DTl12J0HdNe_QlrnWsw9bQ"
echo "Gateway starting; try: curl http://localhost:8080/ and, twice, curl -i http://localhost:8080/cached/ (X-Cache: MISS, then HIT);"
echo "curl -i http://localhost:8080/secure/ answers 401; with the demo token (HS256, config.toml's policies.demo_jwt) 200:"
echo "  curl -H 'Authorization: Bearer $DEMO_TOKEN' http://localhost:8080/secure/"
echo "the live dashboard is at the \"Dashboard:\" address it prints"
# In the background so a TERM/INT to this script is handled at once (bash defers traps until a
# foreground child exits); the trap then stops the gateway too.
"${gateway_cmd[@]}" "$@" &
gateway_pid=$!
status=0
wait "$gateway_pid" || status=$?
gateway_pid=""
exit "$status"
