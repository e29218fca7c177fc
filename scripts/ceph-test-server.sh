#!/usr/bin/env bash
# A throw-away S3 server for the tests: a one-node Ceph cluster from Debian's packages (ceph-mon, ceph-osd,
# radosgw; Ceph 16.2) with one monitor, one OSD on `memstore` (RAM, nothing on disk but the monitor's small
# store) and radosgw with the beast frontend, all on 127.0.0.1, with every file (config, data, sockets, logs,
# pids) in a private folder. No ceph-mgr: S3 does not need one.
#
#   scripts/ceph-test-server.sh start [STATE_DIR]   starts it; prints FACEID_TEST_S3=http://127.0.0.1:PORT,ACCESS,SECRET
#   scripts/ceph-test-server.sh stop  [STATE_DIR]   stops what it started and removes the folder
#   scripts/ceph-test-server.sh stop-rgw  [STATE_DIR]   stops only radosgw (fault tests: S3 down)
#   scripts/ceph-test-server.sh start-rgw [STATE_DIR]   starts radosgw again on the same port
#   scripts/ceph-test-server.sh env   [STATE_DIR]   prints the FACEID_TEST_S3 line of a running one
#
# STATE_DIR defaults to /tmp/faceid-ceph-$UID. If the packages are missing, `start` installs them with
# apt-get (they are listed in scripts/debian-packages.txt); if that is impossible it exits with status 3 and
# says so loudly, and the S3 tests then report as skipped. Runs as root or as any other user.
#
# Facts this configuration rests on (Ceph 16.2 on Debian 12):
# - auth is off (auth_* = none), and then radosgw loops on "get_initial_auth_request returned -13" unless
#   the messenger's client modes also allow crc ("ms mon client mode", "ms client mode");
# - "paxos propose interval = 0.1" (default 1 s) cuts the start from ~15 s to ~3 s: radosgw creates its
#   pools one proposal at a time;
# - size-1 pools need "osd pool default size = 1" and "mon allow pool size one = true";
# - every path (logs, the monitor's cluster log, admin sockets, run dir) is set into STATE_DIR, or the
#   daemons write to /var/log/ceph and /var/run/ceph; the OSD's ports are bounded by "ms bind port min/max";
# - without a ceph-mgr, `ceph df` and `ceph pg ...` block: the script never calls them;
# - deleted objects wait for garbage collection (2 h by default): shortened here, it does not matter for S3.
set -euo pipefail

command=${1:-}
state=${2:-${TMPDIR:-/tmp}/faceid-ceph-$(id -u)}
packages=(ceph-mon ceph-osd radosgw)

# A base port with `count` free ports after it (the monitor, radosgw and the OSD's range), in one python run
# (a start per port costs seconds on a busy machine).
free_port_range() {
    python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(200):
    base = random.randint(20000, 50000)
    sockets = []
    try:
        for port in range(base, base + count):
            s = socket.socket()
            sockets.append(s)
            s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        for s in sockets:
            s.close()
    print(base)
    sys.exit(0)
sys.exit("no free port range found")
PY
}

ensure_installed() {
    local missing=()
    for bin in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
        command -v "$bin" >/dev/null || missing+=("$bin")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "Ceph is not installed (${missing[*]}); installing it from Debian (apt-get install ${packages[*]})" >&2
    if [[ $(id -u) -eq 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2 || true
    elif command -v sudo >/dev/null; then
        sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2 || true
    fi
    if ! command -v radosgw >/dev/null || ! command -v ceph-osd >/dev/null; then
        echo "!!! Ceph could not be installed: the S3 tests will be SKIPPED !!!" >&2
        exit 3
    fi
}

pid_of() {  # pid_of NAME: the pid of a daemon this script started, if it still runs
    [[ -f $state/run/$1.pid ]] || return 1
    local pid
    pid=$(cat "$state/run/$1.pid")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Starts a daemon in the foreground of its own session (-f), recording its pid: stop kills only these.
launch() {
    local name=$1
    shift
    (cd "$state" && exec setsid "$@" -f -c "$state/ceph.conf" >"$state/log/$name.out" 2>&1 </dev/null) &
    echo $! >"$state/run/$name.pid"
}

write_config() {
    local mon_port=$1 rgw_port=$2 osd_min=$3 osd_max=$4 fsid=$5
    cat >"$state/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = $osd_min
ms bind port max = $osd_max
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms mon client mode = crc secure
ms client mode = crc secure
ms mon cluster mode = crc secure
ms cluster mode = crc secure
ms service mode = crc secure
ms mon service mode = crc secure
run dir = $state/run
admin socket = $state/run/\$name.asok
log file = $state/log/\$name.log
mon cluster log file = $state/log/cluster.log
log to stderr = false
err to stderr = true
keyring = /dev/null
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 4
osd pool default pgp num = 4
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
paxos propose interval = 0.1
mon osd min up ratio = 0
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 2147483648
osd memory target = 268435456
rgw gc obj min wait = 60

[mon.a]
mon data = $state/mon

[osd.0]
osd data = $state/osd

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $state/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw thread pool size = 64
CONF
}

print_env() {
    echo "FACEID_TEST_S3=$(cat "$state/endpoint"),$(cat "$state/access"),$(cat "$state/secret")"
}

wait_for_rgw() {
    local endpoint=$1
    for _ in $(seq 1 300); do
        if curl -fsS -o /dev/null "$endpoint/" 2>/dev/null; then return 0; fi
        pid_of radosgw >/dev/null || return 1
        sleep 0.1
    done
    return 1
}

fail() {
    echo "!!! the Ceph test server did not start: $1; its logs:" >&2
    tail -n 20 "$state"/log/*.out "$state"/log/*.log >&2 2>/dev/null || true
    stop
    exit 1
}

start() {
    if pid_of radosgw >/dev/null; then
        print_env
        return 0
    fi
    ensure_installed
    stop
    mkdir -p "$state"/{mon,osd,rgw,run,log}
    local base fsid
    base=$(free_port_range 12)
    fsid=$(cat /proc/sys/kernel/random/uuid)
    # base: monitor; base+1: radosgw; base+2..base+11: the OSD's messengers (public, cluster, heartbeats).
    write_config "$base" "$((base + 1))" "$((base + 2))" "$((base + 11))" "$fsid"
    echo "http://127.0.0.1:$((base + 1))" >"$state/endpoint"
    local conf=(-c "$state/ceph.conf")

    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$base]" "$state/monmap" >/dev/null ||
        fail "monmaptool"
    ceph-mon "${conf[@]}" --mkfs -i a --monmap "$state/monmap" >"$state/log/mkfs-mon.out" 2>&1 ||
        fail "ceph-mon --mkfs"
    launch ceph-mon ceph-mon -i a

    local osd_uuid
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    timeout 30 ceph "${conf[@]}" osd new "$osd_uuid" 0 >/dev/null 2>"$state/log/osd-new.out" || fail "ceph osd new"
    ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$state/log/mkfs-osd.out" 2>&1 ||
        fail "ceph-osd --mkfs"
    launch ceph-osd ceph-osd -i 0
    launch radosgw radosgw -n client.rgw.a

    # The S3 user, created through the monitor while radosgw starts.
    local access secret
    access=FACEID$(head -c 7 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    secret=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
    timeout 60 radosgw-admin "${conf[@]}" user create --uid=faceid --display-name=faceid \
        --access-key="$access" --secret-key="$secret" >/dev/null 2>"$state/log/user-create.out" ||
        fail "radosgw-admin user create"
    echo "$access" >"$state/access"
    echo "$secret" >"$state/secret"
    chmod 600 "$state/secret"
    wait_for_rgw "$(cat "$state/endpoint")" || fail "radosgw does not answer"
    print_env
}

# SIGKILL at once: the cluster's state is thrown away anyway (memstore), and a clean shutdown of the three
# daemons takes ~9 s; for radosgw alone (stop-rgw) it is the abrupt failure the fault tests want.
stop_daemon() {
    local pid
    if pid=$(pid_of "$1"); then
        kill -9 "$pid" 2>/dev/null || true
        # Gone, or a zombie its adoptive parent has not reaped yet (it holds no port nor file any more).
        for _ in $(seq 1 100); do
            [[ $(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) =~ ^(Z|X|)$ ]] && break
            sleep 0.02
        done
    fi
    rm -f "$state/run/$1.pid"
}

stop() {
    [[ -d $state ]] || return 0
    stop_daemon radosgw
    stop_daemon ceph-osd
    stop_daemon ceph-mon
    rm -rf "$state"
}

case $command in
    start) start ;;
    stop) stop ;;
    stop-rgw) stop_daemon radosgw ;;
    start-rgw)
        pid_of radosgw >/dev/null || launch radosgw radosgw -n client.rgw.a
        wait_for_rgw "$(cat "$state/endpoint")" || { echo "radosgw did not come back" >&2; exit 1; }
        ;;
    env) pid_of radosgw >/dev/null && print_env ;;
    *) echo "usage: $0 start|stop|stop-rgw|start-rgw|env [STATE_DIR]" >&2; exit 2 ;;
esac
