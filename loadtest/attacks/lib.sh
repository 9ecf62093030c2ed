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

# raise_nofile WANT: the idle scenario holds 10,000 client sockets, and the gateway as many plus upstreams.
raise_nofile() {
    local want=$1 hard
    ulimit -n "$want" 2>/dev/null && return 0
    hard=$(ulimit -Hn)
    ulimit -n "$hard" 2>/dev/null || true
    log "open-files limit is $(ulimit -n) (wanted $want); the idle scenario may fall short"
}
