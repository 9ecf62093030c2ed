#!/usr/bin/env bash
# Runs every test: unit and integration tests (xunit, over real sockets; the process tests start the native
# binary that publish.sh builds, as shipped), once on the default epoll transport and once on io_uring, then the
# HTTP/1.1 conformance corpus of ../shared/conformance against that binary on each. Installs what the tests need when missing.
set -euo pipefail
cd "$(dirname "$0")"

shared=${FASTGATE_SHARED:-../shared}
need() { command -v "$1" >/dev/null 2>&1; }
install() {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; fi
}
need python3 || install python3
need promtool || install prometheus
need chromium || install chromium   # the dashboard test (Process/DashboardTests) renders the page in it
need redis-server && need redis-cli || install redis-server   # the L2 cache tests start their own redis-server (Caching/RedisServer)

echo "== build"
dotnet build FastGate.sln -c Release -nologo -v quiet
echo "== native binary (publish.sh)"
gateway="$PWD/$(./publish.sh)"
export FASTGATE_BINARY="$gateway"

echo "== unit and integration tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test tests/FastGate.Tests -c Release --no-build -nologo 2>&1 | tee "$log"
summary=$(grep -E '(Passed|Failed)! +- +Failed:' "$log" | tail -n 1)
[ -n "$summary" ] || { echo "no test summary found"; exit 1; }
failed=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
passed=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
[ "$failed" = 0 ] || { echo "$passed passed, $failed failed"; exit 1; }

echo "== the same tests on the io_uring transport (FASTGATE_SERVER__TRANSPORT=io_uring)"
FASTGATE_SERVER__TRANSPORT=io_uring dotnet test tests/FastGate.Tests -c Release --no-build -nologo 2>&1 | tee "$log"
summary=$(grep -E '(Passed|Failed)! +- +Failed:' "$log" | tail -n 1)
[ -n "$summary" ] || { echo "no test summary found (io_uring)"; exit 1; }
failed=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
[ "$failed" = 0 ] || { echo "io_uring: $failed failed"; exit 1; }
passed=$((passed + $(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")))

for transport in epoll io_uring; do
  echo "== conformance on $transport ($shared/conformance/requests.jsonl)"
  python3 "$shared/conformance/run.py" --corpus "$shared/conformance/requests.jsonl" \
    --gateway 127.0.0.1:8080 --upstream-port 9009 --show 60 \
    --start "exec env FASTGATE_SERVER__TRANSPORT=$transport $gateway --config $PWD/tests/conformance/gateway.toml"
  echo "conformance on $transport: every MUST and FRAMING case passed, nothing unsafe forwarded"
done

# The line CI reads: the xunit totals (conformance is gated by run.py's exit status above).
echo "$passed passed, 0 failed"
