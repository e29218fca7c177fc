#!/usr/bin/env bash
# Slow-loris bench (issue 12): a real `faceid serve --no-auth` on loopback (one person registered), then
# --connections slow clients, each sending a request line and then one header line every --interval
# seconds (never finishing the header) for --seconds; a slow connection the server cuts (header timeout,
# per-address limit) is opened again at once, as an attacker would. The slow clients come from
# 127.0.1.x, --per-address connections per address (all of 127/8 is loopback). Meanwhile one normal client
# (127.0.0.2) alternates GET /healthz and POST /search (each with a 10 s timeout) and the bench prints
# p50/p99 latency and the timeouts, before the slow clients start and while they hold their connections,
# and the server's RSS and peak RSS.
#
#   bench/slow_clients.sh [--connections 1000] [--interval 5] [--seconds 60] [--per-address 200]
#                         [--env VAR=VALUE]...
#                         [--serve-arg ARG]...
#
# --env sets a variable for the server (e.g. FACEID_HTTP_THREADS=1100); --serve-arg passes a serve option.
# Bounded in count and time; loopback only. Prints figures; never fails on them.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=1000 interval=5 seconds=60 per_address=200 envs=() serve_args=()
while (($#)); do
    case $1 in
        --connections) connections=$2; shift 2 ;;
        --interval) interval=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --per-address) per_address=$2; shift 2 ;;
        --env) envs+=("$2"); shift 2 ;;
        --serve-arg) serve_args+=("$2"); shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
((connections <= 5000 && seconds <= 600)) || { echo "at most 5000 connections and 600 s" >&2; exit 2; }
photo=${FACEID_TEST_DATA:-../shared/data}/photos-multi/p01/img1.jpg
bin=${FACEID_BINARY:-build/release/faceid}
[[ -x $bin ]] || { echo "build first: make build" >&2; exit 2; }
ulimit -n $((connections + 512)) 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d /tmp/faceid-slow.XXXXXX)
env "${envs[@]}" "$bin" serve --host 127.0.0.1 --port "$port" --data "$work/data" --no-auth --rate-limit 0 \
    "${serve_args[@]}" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
curl -sf -o /dev/null -F photo=@"$photo" -F name=p01 "http://127.0.0.1:$port/register" || true
echo "server pid $server on port $port; env: ${envs[*]:-none}; $connections slow connections, a header line every ${interval} s, ${seconds} s" >&2

python3 - "$port" "$server" "$photo" "$connections" "$interval" "$seconds" "$per_address" <<'PY'
import socket, sys, threading, time, uuid
port, pid, photo, n, interval, seconds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
per_address = max(1, int(sys.argv[7]))
image = open(photo, "rb").read()
boundary = uuid.uuid4().hex
search_body = (f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
               f'Content-Type: image/jpeg\r\n\r\n').encode() + image + f"\r\n--{boundary}--\r\n".encode()

def rss_mib(field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024

def one(request, timeout=10.0):
    """Latency of one request on a fresh connection, or None on timeout/error."""
    t0 = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=("127.0.0.2", 0))
        s.settimeout(max(0.1, timeout - (time.time() - t0)))
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            d = s.recv(65536)
            if not d: break
            data += d
        s.close()
        return time.time() - t0 if data.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None

healthz = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
search = (f"POST /search HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; "
          f"boundary={boundary}\r\nContent-Length: {len(search_body)}\r\n\r\n").encode() + search_body

def measure(duration, label):
    lat = {"healthz": [], "search": []}
    fails = {"healthz": 0, "search": 0}
    end = time.time() + duration
    while time.time() < end:
        for name, req in (("healthz", healthz), ("search", search)):
            t = one(req, timeout=min(10.0, max(0.5, end - time.time() + 1)))
            if t is None: fails[name] += 1
            else: lat[name].append(t)
        time.sleep(0.2)
    for name in lat:
        v = sorted(lat[name])
        p = lambda q: f"{v[min(len(v) - 1, int(q * len(v)))] * 1000:.0f} ms" if v else "n/a"
        print(f"{label}: {name}: {len(v)} ok, {fails[name]} failed/timed out (10 s); p50 {p(0.5)}, p99 {p(0.99)}",
              flush=True)

measure(10, "before")
# Slow clients open one at a time, from 127.0.1.x (per_address each), and each sends a header line every
# `interval` from the moment it is open, for `seconds` after all are open. One the server has closed is
# opened again from the same address.
socks = []
lock = threading.Lock()
stop = [float("inf")]
reopened = [0]
t0 = time.time()
def open_slow(i):
    source = f"127.0.1.{1 + i // per_address}"
    s = socket.create_connection(("127.0.0.1", port), timeout=3, source_address=(source, 0))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    s.setblocking(False)
    return s
def trickle():
    k = 0
    while time.time() < stop[0]:
        time.sleep(interval)
        k += 1
        with lock:
            current = list(enumerate(socks))
        alive = 0
        for i, s in current:
            try:
                if s is None: raise OSError("closed")
                # A closed connection shows as readable with nothing to read (or a reset).
                try:
                    if s.recv(1, socket.MSG_PEEK) == b"": raise OSError("closed by the server")
                except BlockingIOError:
                    pass
                s.send(f"X-Slow-{k}: {k}\r\n".encode()); alive += 1
            except OSError:
                try:
                    if s is not None: s.close()
                    fresh = open_slow(i)
                    with lock: socks[i] = fresh
                    reopened[0] += 1
                except OSError:
                    with lock: socks[i] = None
        print(f"  t={time.time() - t0:.0f}s: {alive} of {len(current)} slow connections took a header line; "
              f"{reopened[0]} reopened so far", flush=True)
th = threading.Thread(target=trickle, daemon=True); th.start()
for i in range(n):
    try:
        s = open_slow(i)
        with lock:
            socks.append(s)
    except OSError as e:
        with lock:
            socks.append(None)
        print(f"connection {i}: {e}", flush=True)
        if time.time() - t0 > 60: break
print(f"{sum(s is not None for s in socks)} slow connections open after {time.time() - t0:.1f} s; server RSS {rss_mib():.0f} MiB", flush=True)
stop[0] = time.time() + seconds
measure(max(1, seconds - 2), "during")
th.join(timeout=interval + 5)
print(f"server RSS {rss_mib():.0f} MiB, peak {rss_mib('VmHWM'):.0f} MiB; {reopened[0]} slow connections reopened after the server cut them", flush=True)
for s in socks:
    if s is not None: s.close()
time.sleep(2)
measure(5, "after")
PY
