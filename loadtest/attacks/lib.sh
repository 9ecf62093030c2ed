# Shared shell part of loadtest/attacks/run.sh: the FastGate binary, nginx, the open-files limit.
# shellcheck shell=bash

log() { echo "[attacks] $*" >&2; }

# fastgate_binary ROOT: prints the native binary, building it with publish.sh unless FASTGATE_BIN is set.
fastgate_binary() {
    local root=$1 rel
    if [[ -n ${FASTGATE_BIN:-} ]]; then
        [[ -x $FASTGATE_BIN ]] || { log "FASTGATE_BIN=$FASTGATE_BIN is not executable"; return 1; }
        echo "$FASTGATE_BIN"
        return 0
    fi
    log "building FastGate with publish.sh (Native AOT)"
    rel=$(cd "$root" && timeout 900 ./publish.sh) || { log "publish.sh failed"; return 1; }
    echo "$root/$rel"
}

# nginx_binary: nginx on PATH or /usr/sbin/nginx (installs nginx-light with apt-get when neither exists).
nginx_binary() {
    local n
    n=$(command -v nginx || true)
    [[ -n $n ]] || n=/usr/sbin/nginx
    if [[ ! -x $n ]]; then
        log "installing nginx-light with apt-get"
        local sudo=()
        [[ $(id -u) -eq 0 ]] || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
    fi
    echo "$n"
}

# raise_nofile WANT NEED: raises the open-files limit to WANT, or as far as the hard limit allows; warns
# below NEED. The idle scenario holds 10,000 client sockets in one process, and the gateway as many plus
# its upstream pool (each process has its own limit).
raise_nofile() {
    local want=$1 need=$2
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    (($(ulimit -n) >= need)) || log "open-files limit is $(ulimit -n) (need $need); the idle scenario will fall short"
}
