#!/usr/bin/env bash
# Photo store benchmark, S3 against files in one run: registrations per second (the photo and crop PUTs
# plus the pipeline) and photo download latency, on the real `faceid serve` over loopback, once with the
# folder store and once with S3 (a one-node Ceph radosgw started by scripts/ceph-test-server.sh, or the
# server of FACEID_TEST_S3=ENDPOINT,ACCESS,SECRET). Prints figures; never fails on time.
#
#   bench/photo_store_load.sh [--photos 200] [--duration 10] [--connections 4]
set -euo pipefail
cd "$(dirname "$0")/.."
photos=200 duration=10 connections=4
while (($#)); do
    case $1 in
        --photos) photos=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
lfw=${FACEID_TEST_DATA:-../shared/data}/lfw
bin=build/release/faceid
[[ -x $bin ]] || { echo "build first: make build" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh installs it" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/faceid-photo-bench-XXXXXX")
ceph_state=$work/ceph
server=
cleanup() {
    [[ -n $server ]] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
    [[ -d $ceph_state ]] && scripts/ceph-test-server.sh stop "$ceph_state"
    rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${FACEID_TEST_S3:-} ]]; then
    line=$(scripts/ceph-test-server.sh start "$ceph_state")
    export "${line?}"
fi
IFS=, read -r s3_endpoint s3_access s3_secret <<<"$FACEID_TEST_S3"

# The same LFW photos for both stores, one face each, in name order.
find "$lfw" -name '*.jpg' | sort | sed -n "1,${photos}p" >"$work/photos.txt"  # (sed reads all: no SIGPIPE under pipefail)

start_server() {  # start_server DATA [ENV=VALUE...]
    local data=$1
    shift
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    env "$@" FACEID_WORKERS=2 "$bin" serve --host 127.0.0.1 --port "$port" --data "$data" --no-auth \
        --rate-limit 0 >"$data.log" 2>&1 &
    server=$!
    for _ in $(seq 1 3000); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0; sleep 0.1; done
    echo "the server did not start:" >&2
    tail -20 "$data.log" >&2
    exit 1
}

stop_server() {
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
}

# wrk's latency line for a percentile, in milliseconds.
percentile_ms() {  # percentile_ms FILE 50%
    awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)}
                    else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' "$1"
}

measure() {  # measure NAME DATA [ENV=VALUE...]
    local name=$1 data=$2
    shift 2
    start_server "$data" "$@"
    local url=http://127.0.0.1:$port
    local begin end ok
    begin=$(date +%s.%N)
    xargs -P "$connections" -a "$work/photos.txt" -I{} sh -c \
        'curl -s -o /dev/null -w "%{http_code}\n" -F photo=@"{}" -F name="$(basename "$(dirname "{}")")" \
         -F allow_duplicate=true '"$url"'/register' >"$work/$name-codes.txt" || true
    end=$(date +%s.%N)
    ok=$(grep -c '^201$' "$work/$name-codes.txt" || true)
    local person
    person=$(curl -sf "$url/persons?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["persons"][0]["id"])')
    local size
    size=$(curl -sf -o /dev/null -w '%{size_download}' "$url/persons/$person/photo")
    wrk -t 2 -c "$connections" -d "${duration}s" --latency "$url/persons/$person/photo" >"$work/$name-wrk.txt"
    local rate
    rate=$(awk '/Requests\/sec/ {print $2}' "$work/$name-wrk.txt")
    printf 'store=%s registrations=%s of %s registrations_per_second=%.1f photo_bytes=%s photo_get_p50_ms=%s photo_get_p99_ms=%s photo_gets_per_second=%s\n' \
        "$name" "$ok" "$photos" "$(echo "$ok / ($end - $begin)" | bc -l)" "$size" \
        "$(percentile_ms "$work/$name-wrk.txt" 50%)" "$(percentile_ms "$work/$name-wrk.txt" 99%)" "$rate"
    curl -sf "$url/metrics" | grep -E '^faceid_s3_(requests|errors)_total' | sed 's/^/  /' || true
    stop_server
}

echo "== $photos registrations with $connections clients, then photo GETs with wrk for ${duration}s ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
measure files "$work/files-data"
measure s3 "$work/s3-data" FACEID_PHOTO_STORE=s3 FACEID_S3_ENDPOINT="$s3_endpoint" \
    FACEID_S3_ACCESS_KEY="$s3_access" FACEID_S3_SECRET_KEY="$s3_secret" FACEID_S3_BUCKET=faceid-bench \
    FACEID_S3_PREFIX="bench-$$-$RANDOM/"
