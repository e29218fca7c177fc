#!/usr/bin/env bash
# Steady-load memory soak (issue 12): a real `faceid serve --no-auth` on loopback, the 13 people of
# photos-multi registered, then 4 clients loop searches (and every 10th call a registration of a known
# photo to its person, bounded by --max-templates) for --minutes N. Prints the server's RSS every 30 s and,
# at the end, how much RSS grew over the last third of the run (a plateau is ~0 %; a leak keeps growing).
#
#   bench/soak.sh [--minutes 30] [--clients 4] [--port 0] [--env VAR=VALUE]... [--serve-arg ARG]...
#
# --env sets a variable for the server only (e.g. MALLOC_ARENA_MAX=8); --serve-arg passes a serve option.
# Bounded: the clients stop at the deadline and the server is stopped on exit. Prints figures; never fails
# on them.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=30 clients=4 port=0 envs=() serve_args=()
while (($#)); do
    case $1 in
        --minutes) minutes=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --env) envs+=("$2"); shift 2 ;;
        --serve-arg) serve_args+=("$2"); shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
photos=${FACEID_TEST_DATA:-../shared/data}/photos-multi
bin=${FACEID_BINARY:-build/release/faceid}
[[ -x $bin ]] || { echo "build first: make build" >&2; exit 2; }
[[ -d $photos ]] || { echo "missing $photos" >&2; exit 2; }
((port > 0)) || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d /tmp/faceid-soak.XXXXXX)
env "${envs[@]}" "$bin" serve --host 127.0.0.1 --port "$port" --data "$work/data" --no-auth --rate-limit 0 \
    "${serve_args[@]}" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
echo "server pid $server on port $port; env: ${envs[*]:-none}; ${minutes} min, $clients clients" >&2

python3 - "$port" "$server" "$photos" "$minutes" "$clients" <<'PY'
import http.client, json, os, random, sys, threading, time, uuid
port, pid, photos, minutes, clients = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])

def rss_mib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0

def multipart(fields, photo):
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
                 f'Content-Type: image/jpeg\r\n\r\n'.encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

def post(conn, path, fields, photo):
    body, ctype = multipart(fields, photo)
    conn.request("POST", path, body, {"Content-Type": ctype})
    r = conn.getresponse()
    return r.status, r.read()

people = {}
for d in sorted(os.listdir(photos)):
    p = os.path.join(photos, d)
    if os.path.isdir(p):
        people[d] = [open(os.path.join(p, f), "rb").read() for f in sorted(os.listdir(p)) if f.endswith(".jpg")]
ids = {}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for name, imgs in people.items():
    for img in imgs:
        status, body = post(conn, "/register", {"name": name}, img)
        if status == 201:
            ids[name] = json.loads(body)["person"]["id"]
            break
print(f"registered {len(ids)} people of {len(people)}", flush=True)

deadline = time.time() + minutes * 60
counts = {"search": 0, "register": 0, "errors": 0}
lock = threading.Lock()

def client(seed):
    rnd = random.Random(seed)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    n = 0
    while time.time() < deadline:
        name = rnd.choice(list(people))
        img = rnd.choice(people[name])
        n += 1
        try:
            if n % 10 == 0 and name in ids:
                status, _ = post(c, "/register", {"person_id": ids[name]}, img)
                kind = "register"
                ok = status in (200, 201, 409, 422)
            else:
                status, _ = post(c, "/search", {"top_k": "5"}, img)
                kind = "search"
                ok = status in (200, 422)
        except Exception:
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            kind, ok = "search", False
        with lock:
            counts[kind] += 1
            counts["errors"] += not ok

threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
start = time.time()
samples = [(0.0, rss_mib())]
print(f"t=0s rss={samples[0][1]:.0f} MiB", flush=True)
for t in threads:
    t.start()
while time.time() < deadline:
    time.sleep(min(30, max(0.1, deadline - time.time())))
    samples.append((time.time() - start, rss_mib()))
    with lock:
        print(f"t={samples[-1][0]:.0f}s rss={samples[-1][1]:.0f} MiB searches={counts['search']} "
              f"registrations={counts['register']} errors={counts['errors']}", flush=True)
for t in threads:
    t.join(timeout=150)
end = samples[-1]
third = [s for s in samples if s[0] >= end[0] * 2 / 3][0]
growth = (end[1] - third[1]) / third[1] * 100 if third[1] else 0
mean = lambda xs: sum(x[1] for x in xs) / max(1, len(xs))
middle = [s for s in samples if end[0] / 3 <= s[0] < end[0] * 2 / 3]
last = [s for s in samples if s[0] >= end[0] * 2 / 3]
print(f"start {samples[0][1]:.0f} MiB, end {end[1]:.0f} MiB, peak {max(s[1] for s in samples):.0f} MiB; "
      f"last third ({third[0]:.0f}s..{end[0]:.0f}s): {third[1]:.0f} -> {end[1]:.0f} MiB = {growth:+.1f} %; "
      f"mean of the last third vs the middle third: {mean(middle):.0f} -> {mean(last):.0f} MiB = "
      f"{(mean(last) - mean(middle)) / max(1e-9, mean(middle)) * 100:+.1f} %", flush=True)
print(f"requests: {counts['search']} searches, {counts['register']} registrations, {counts['errors']} errors")
PY
