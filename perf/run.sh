#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them with memory statistics, then prints the summary tables.
#   perf/run.sh                      every benchmark, BenchmarkDotNet's default job (accurate, ~20+ min)
#   perf/run.sh --quick              every benchmark, short job with 10 short iterations (a few minutes)
#   perf/run.sh --quick --filter '*Route*'   any further arguments go to BenchmarkDotNet
# Exits non-zero when the build fails, a benchmark fails, or a benchmark allocates (see README.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
project="$here/FastGate.Benchmarks"
artifacts="$here/BenchmarkDotNet.Artifacts"

job=()
filter=(--filter '*')
args=()
for arg in "$@"; do
    case "$arg" in
        # Short job, but 10 iterations of 150 ms instead of 3 of 500 ms: same time, and one noisy
        # iteration on a shared machine no longer decides the mean (BenchmarkDotNet drops outliers).
        --quick) job=(--job short --iterationCount 10 --iterationTime 150) ;;
        --filter|-f) filter=(); args+=("$arg") ;;
        *) args+=("$arg") ;;
    esac
done

echo "building $project (Release)"
if ! dotnet build "$project" -c Release --nologo -v quiet; then
    echo "build failed" >&2
    exit 1
fi

rm -rf "$artifacts/results"
mkdir -p "$artifacts"
log="$artifacts/run.log"
echo "running benchmarks (full log: $log)"
status=0
dotnet "$project/bin/Release/net10.0/FastGate.Benchmarks.dll" "${filter[@]}" "${job[@]}" --memory \
    --artifacts "$artifacts" "${args[@]}" > "$log" 2>&1 || status=$?
grep -E '^(FAILED|ALLOCATES): ' "$log" >&2 || true

echo
first=1
for report in "$artifacts"/results/*-report-github.md; do
    [ -e "$report" ] || { echo "no results: see $log" >&2; exit 1; }
    if [ "$first" = 1 ]; then sed -n '/^```/,/^```/p' "$report" | grep -v '^```'; echo; first=0; fi
    echo "## $(basename "$report" -report-github.md)"
    grep -E '^\|' "$report"
    echo
done
exit "$status"
