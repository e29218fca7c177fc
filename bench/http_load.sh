#!/usr/bin/env bash
# HTTP load benchmark: searches per second and latency against a gallery of N faces (LFW photos, one
# face each), on the real `faceid serve` over loopback, with wrk. Also measures registrations per second
# while filling the gallery. Prints figures; never fails on time.
#
#   bench/http_load.sh [--faces 10000] [--synthetic 0] [--duration 30] [--connections 4] [--index auto]
#
# The gallery is filled through POST /register (so registrations/s is measured on the way); a filled
# data folder is kept in build/bench-gallery-N and reused by later runs. --synthetic M first adds M
# synthetic persons (random unit embeddings, no photos; build/release/bench/bench_gallery_fill) to the
# store, to measure searches against a gallery larger than LFW (e.g. --faces 10000 --synthetic 90000).
# Copying a filled build/bench-gallery-N to build/bench-gallery-N+M saves registering the LFW part again.
set -euo pipefail
cd "$(dirname "$0")/.."
faces=10000 synthetic=0 duration=30 connections=4 index=auto
while (($#)); do
    case $1 in
        --faces) faces=$2; shift 2 ;;
        --synthetic) synthetic=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --index) index=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
lfw=${FACEID_TEST_DATA:-../shared/data}/lfw
bin=build/release/faceid
[[ -x $bin ]] || { echo "build first: make build" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh installs it" >&2; exit 2; }
data=build/bench-gallery-$faces
((synthetic > 0)) && data=build/bench-gallery-$faces+$synthetic
mkdir -p "$data" build/bench
if ((synthetic > 0)) && [[ ! -e $data/synthetic-$synthetic ]]; then
    [[ -x build/release/bench/bench_gallery_fill ]] || { echo "build first: make build" >&2; exit 2; }
    build/release/bench/bench_gallery_fill "$data" "$synthetic" >&2
    touch "$data/synthetic-$synthetic"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
auth=()
"$bin" serve --help 2>/dev/null | grep -q -- --no-auth && auth=(--no-auth)
"$bin" serve --host 127.0.0.1 --port "$port" --data "$data" --index "$index" "${auth[@]}" >build/bench/http_load_server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 1 3000); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
url=http://127.0.0.1:$port

have=$(($(curl -sf "$url/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["faces"])') - synthetic))
register_rate=na
if ((have < faces)); then
    need=$((faces - have))
    echo "filling the gallery: $need registrations of LFW photos" >&2
    # Every LFW photo in name order; one face per photo; registered by 4 parallel clients.
    find "$lfw" -name '*.jpg' | sort >build/bench/all_photos.txt
    sed -n "$((have + 1)),$((have + need * 12 / 10))p" build/bench/all_photos.txt >build/bench/photos.txt
    start=$(date +%s.%N)
    xargs -P 4 -a build/bench/photos.txt -I{} sh -c \
        'curl -s -o /dev/null -w "%{http_code}\n" -F photo=@"{}" -F name="$(basename "$(dirname "{}")")" '"$url"'/register' \
        >build/bench/register_codes.txt || true
    end=$(date +%s.%N)
    ok=$(grep -c '^201$' build/bench/register_codes.txt || true)
    register_rate=$(python3 -c "print(f'{$ok/($end-$start):.1f}')")
    echo "registered $ok photos ($(wc -l <build/bench/register_codes.txt) sent) at $register_rate/s" >&2
fi
gallery=$(curl -sf "$url/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["faces"])')

# wrk posts one multipart search with a photo of a person who is in the gallery.
probe=$(find "$lfw" -name '*_0002.jpg' | sort | sed -n 1p)
python3 - "$probe" >build/bench/search_body.bin <<'PY'
import sys
photo = open(sys.argv[1], 'rb').read()
b = b'----faceidbench'
sys.stdout.buffer.write(b'--' + b + b'\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n' + photo + b'\r\n--' + b + b'--\r\n')
PY
cat >build/bench/search.lua <<'LUA'
local f = io.open("build/bench/search_body.bin", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "multipart/form-data; boundary=----faceidbench"
done = function(summary, latency, requests)
  io.write(string.format("wrk_result requests=%d errors=%d p50_ms=%.1f p99_ms=%.1f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
wrk -t 2 -c "$connections" -d "${duration}s" --latency -s build/bench/search.lua "$url/search" | tee build/bench/wrk.txt >&2
line=$(grep '^wrk_result' build/bench/wrk.txt)
requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
rps=$(python3 -c "print(f'{$requests/$duration:.1f}')")
p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")
p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")
errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")
index_name=$(curl -sf "$url/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["index"])')
echo "http_load faces=$gallery synthetic=$synthetic index=$index_name connections=$connections searches_per_s=$rps p50_ms=$p50 p99_ms=$p99 errors=$errors registrations_per_s=$register_rate"
