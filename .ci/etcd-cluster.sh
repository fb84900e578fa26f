#!/usr/bin/env bash
# A 3-member etcd cluster on loopback for the tests (clients BASE..BASE+2, peers
# BASE+10..BASE+12, 127.0.0.1 only; BASE is $ETCD_BASE_PORT, default 23791: away from
# etcd's own 2379/2380, which a packaged etcd may hold).
#   etcd-cluster.sh start DIR    starts it, prints the client endpoints once it is healthy
#   etcd-cluster.sh stop DIR     stops the members started in DIR, by pid
#   etcd-cluster.sh restart DIR N  starts member N again on its data (after a kill)
set -euo pipefail
cmd=$1
dir=$2
base=${ETCD_BASE_PORT:-23791}
member() { # member I NEW|EXISTING
    local i=$1 c=$((base + $1)) p=$((base + 10 + $1))
    local cluster="" extra=()
    for j in 0 1 2; do cluster+="m$j=http://127.0.0.1:$((base + 10 + j)),"; done
    if [ "$2" = new ]; then
        extra=(--initial-cluster "${cluster%,}" --initial-cluster-token "servreg-ci-$base" --initial-cluster-state new)
    fi
    etcd --name "m$i" --data-dir "$dir/m$i" \
        --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
        --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
        "${extra[@]}" --heartbeat-interval 50 --election-timeout 500 \
        --experimental-watch-progress-notify-interval 2s >>"$dir/m$i.log" 2>&1 &
    echo "$!" >"$dir/m$i.pid"
}
endpoints() { local e=""; for i in 0 1 2; do e+="http://127.0.0.1:$((base + i)),"; done; echo "${e%,}"; }
healthy() {
    for _ in $(seq 1 300); do
        if ETCDCTL_API=3 etcdctl --endpoints="$(endpoints)" --command-timeout=1s endpoint health >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
case $cmd in
start)
    command -v etcd >/dev/null || { echo "etcd-cluster.sh: no etcd (apt-get install -y etcd-server etcd-client)" >&2; exit 2; }
    mkdir -p "$dir"
    for i in 0 1 2; do
        for port in $((base + i)) $((base + 10 + i)); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "etcd-cluster.sh: port $port is taken" >&2; exit 3; fi
        done
    done
    for i in 0 1 2; do member "$i" new; done
    healthy || { echo "etcd-cluster.sh: the cluster did not become healthy; logs in $dir" >&2; "$0" stop "$dir"; exit 1; }
    endpoints
    ;;
restart)
    member "$3" existing
    healthy || { echo "etcd-cluster.sh: not healthy after restarting m$3; logs in $dir" >&2; exit 1; }
    ;;
stop)
    for f in "$dir"/m*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$f"
    done
    ;;
*) echo "usage: etcd-cluster.sh start|stop DIR | restart DIR N" >&2; exit 64 ;;
esac
