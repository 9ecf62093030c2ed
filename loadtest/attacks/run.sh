#!/usr/bin/env bash
# Attack harness: runs each scenario against FastGate (the Native AOT binary from ./publish.sh) and nginx,
# same upstream, same machine, and prints a table of figures per scenario for both.
#
#   loadtest/attacks/run.sh                       # every scenario (8-10 minutes on 2 cores)
#   loadtest/attacks/run.sh stuck-readers idle    # some of them
#
# Scenarios: stuck-readers slow-body early-413 idle path-probes host-probes (see loadtest/README.md).
# Environment: FASTGATE_BIN (skip the build, use this binary), GATEWAYS ("fastgate,nginx"),
# BASE_PORT (31000: gateways on +80/+81, upstreams on +101/+102), OUT (results file; default
# loadtest/results/attacks-<UTC timestamp>.txt, OUT=- for none), KEEP_TMP=1 (keep configs and logs).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=loadtest/attacks/lib.sh
source "$HERE/lib.sh"

command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }
command -v curl >/dev/null || { log "curl is needed (early-413)"; exit 1; }
FASTGATE=$(fastgate_binary "$ROOT")
NGINX=$(nginx_binary)
raise_nofile 65536 12000

OUT=${OUT:-$ROOT/loadtest/results/attacks-$(date -u +%Y%m%dT%H%M%SZ).txt}
out_args=()
if [[ $OUT != - ]]; then
    mkdir -p "$(dirname "$OUT")"
    out_args=(--out "$OUT")
fi
# python3 in the foreground is fine: it handles INT/TERM itself and stops every process it started.
python3 "$HERE/attacks.py" --fastgate "$FASTGATE" --nginx "$NGINX" "${out_args[@]}" "$@"
[[ $OUT == - ]] || log "saved $OUT"
