#!/usr/bin/env bash
# Whole-system load run of POST /api/v1/public/invitations/redeem on SQLite (BENCHMARKS.md).
#
# Starts a release `portico serve` on a fresh temporary data folder, pinned to one core, and loads
# it from the other core, only on 127.0.0.1. Every load is bounded in count and time. Runs:
#   1. GET /healthz at RATE for DURATION (oha): the limit of this machine, no database.
#   2. redeem of an already-redeemed code at RATE for DURATION (oha): the common "code not
#      accepted" path (400): throttle check, code parse, HMAC, invitation look-up, failure count.
#   3. both again with no rate cap for MAX_DURATION (oha): the most each can serve.
#   4. successful redemptions (200), each of a different invitation, SUCCESS_COUNT of them at
#      SUCCESS_RATE. oha picks `-Z` bodies at random (repeats would fail), so this run uses a small
#      open-loop Python client instead; it also runs the failure path of 2 for a like-for-like ratio.
# Latency is counted from the scheduled send time (oha --latency-correction; the Python client
# likewise), so a server that falls behind shows it.
#
# Needs: a release build (CARGO_TARGET_DIR=... cargo build --release -p portico), oha
# (cargo install oha --locked), python3, curl, taskset.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORTICO=${PORTICO:-${CARGO_TARGET_DIR:-$ROOT/target}/release/portico}
RATE=${RATE:-500}
DURATION=${DURATION:-30s}
MAX_DURATION=${MAX_DURATION:-10s}
SUCCESS_COUNT=${SUCCESS_COUNT:-5000}
SUCCESS_RATE=${SUCCESS_RATE:-500}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BIRTH_DATE=1980-02-03

for tool in oha python3 curl taskset; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[[ -x $PORTICO ]] || { echo "no release build at $PORTICO (set PORTICO or CARGO_TARGET_DIR)" >&2; exit 1; }

WORK=$(mktemp -d -t portico-bench.XXXXXX)
DATA=$WORK/data
mkdir "$DATA"
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" || true
    fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The small client: creates invitations, runs an open-loop load, summarises oha's JSON.
cat >"$WORK/client.py" <<'PY'
import http.client, json, math, sys, threading, time
from urllib.parse import urlsplit

def conn(url):
    u = urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)

def create(url, token, count, out_path, birth_date):
    """POSTs `count` invitations (4 connections); writes one redeem body per line."""
    body = json.dumps({"first_name": "Pat", "last_name": "Bench", "birth_date": birth_date, "channels": []})
    headers = {"authorization": "Bearer " + token, "content-type": "application/json"}
    codes, lock, left = [], threading.Lock(), [count]
    def work():
        c = conn(url)
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            c.request("POST", "/api/v1/invitations", body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            if r.status != 201:
                raise SystemExit(f"creating an invitation answered {r.status}: {data[:200]!r}")
            code = json.loads(data)["code"]  # XYZ-234-ABC; sent as a patient might type it
            with lock:
                codes.append(code.lower().replace("-", " ", 1))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    if len(codes) != count:
        raise SystemExit("some invitations were not created")
    with open(out_path, "w") as f:
        for code in codes:
            f.write(json.dumps({"code": code, "birth_date": birth_date}) + "\n")

def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]

def line(name, rps, p50, p99, p999, statuses, errors):
    st = " ".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
    er = " ".join(f"{k}:{v}" for k, v in sorted(errors.items())) or "-"
    print(f"{name:<34} {rps:9.1f} {p50*1e3:8.2f} {p99*1e3:8.2f} {p999*1e3:9.2f}  {st}  errors {er}")

def load(name, url, bodies_path, rate, count):
    """Open loop: request i is due at t0 + i/rate, on one of 32 keep-alive connections."""
    bodies = [l.strip() for l in open(bodies_path) if l.strip()]
    n = min(int(count), len(bodies))
    rate = float(rate)
    lat, status = [0.0] * n, [None] * n
    lock, nxt = threading.Lock(), [0]
    t0 = time.perf_counter() + 0.2
    def work():
        c = conn(url)
        while True:
            with lock:
                i = nxt[0]
                if i >= n:
                    return
                nxt[0] += 1
            due = t0 + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                c.request("POST", "/api/v1/public/invitations/redeem", body=bodies[i],
                          headers={"content-type": "application/json"})
                r = c.getresponse()
                r.read()
                status[i] = str(r.status)
            except Exception as e:  # counted, and the connection is replaced
                status[i] = type(e).__name__
                c.close()
                c = conn(url)
            lat[i] = time.perf_counter() - due
    threads = [threading.Thread(target=work) for _ in range(32)]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - t0
    ok = sorted(lat)
    statuses, errors = {}, {}
    for s in status:
        d = statuses if s.isdigit() else errors
        d[s] = d.get(s, 0) + 1
    line(name, n / elapsed, pct(ok, .5), pct(ok, .99), pct(ok, .999), statuses, errors)

def oha(name, path):
    d = json.load(open(path))
    p = d["latencyPercentiles"]
    line(name, d["summary"]["requestsPerSec"], p["p50"], p["p99"], p["p99.9"],
         d.get("statusCodeDistribution") or {}, d.get("errorDistribution") or {})

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "create":
        create(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
    elif cmd == "load":
        load(*sys.argv[2:7])
    elif cmd == "oha":
        oha(sys.argv[2], sys.argv[3])
    elif cmd == "header":
        print(f"{'load':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9}  statuses")
PY
client() { taskset -c "$LOAD_CPU" python3 "$WORK/client.py" "$@"; }

echo "== set-up: $WORK, server on CPU $SERVER_CPU, load on CPU $LOAD_CPU"
PRACTICE=$(echo "quiet meadow lantern river" |
    "$PORTICO" admin create --practice "Bench Clinic" --email bench@clinic.example --data-dir "$DATA" 2>/dev/null)
TOKEN=$("$PORTICO" admin token create --practice "$PRACTICE" --data-dir "$DATA" 2>/dev/null)

# The guessing limit per address is raised (its maximum is 1,000,000 per window): every request
# comes from 127.0.0.1 and would otherwise be refused (429) after 20 failures.
PORTICO_LIMIT_INVITE_CODE_ATTEMPTS=1000000 \
    taskset -c "$SERVER_CPU" "$PORTICO" serve --listen 127.0.0.1:0 --data-dir "$DATA" \
    >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
URL=
for _ in $(seq 100); do
    URL=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$WORK/server.out")
    [[ -n $URL ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n $URL ]] || { echo "the server printed no address" >&2; exit 1; }
echo "== server at $URL"

# One invitation redeemed once: the code every failure-path request sends (400 from then on).
client create "$URL" "$TOKEN" 1 "$WORK/used.jsonl" "$BIRTH_DATE"
USED_BODY=$(cat "$WORK/used.jsonl")
first=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d "$USED_BODY" "$URL/api/v1/public/invitations/redeem")
[[ $first == 200 ]] || { echo "the first redemption answered $first" >&2; exit 1; }
for _ in $(seq "$SUCCESS_COUNT"); do echo "$USED_BODY"; done >"$WORK/used-many.jsonl"

started=$(date +%s)
client create "$URL" "$TOKEN" "$SUCCESS_COUNT" "$WORK/fresh.jsonl" "$BIRTH_DATE"
echo "== created $SUCCESS_COUNT invitations in $(($(date +%s) - started)) s"

run_oha() { # name, output file, oha arguments...
    local name=$1 out=$2
    shift 2
    taskset -c "$LOAD_CPU" oha --no-tui --output-format json -w "$@" >"$out"
    client oha "$name" "$out"
}
REDEEM=(-m POST -H 'content-type: application/json' -d "$USED_BODY" "$URL/api/v1/public/invitations/redeem")

echo "== $(date -u +%FT%TZ), $(nproc) cores"
client header
run_oha "healthz @$RATE/s $DURATION (oha)" "$WORK/h-rate.json" \
    -q "$RATE" -z "$DURATION" --latency-correction "$URL/healthz"
run_oha "redeem used code @$RATE/s $DURATION (oha)" "$WORK/r-rate.json" \
    -q "$RATE" -z "$DURATION" --latency-correction "${REDEEM[@]}"
run_oha "healthz max $MAX_DURATION (oha -c 50)" "$WORK/h-max.json" -z "$MAX_DURATION" "$URL/healthz"
run_oha "redeem used code max $MAX_DURATION (oha -c 50)" "$WORK/r-max.json" -z "$MAX_DURATION" "${REDEEM[@]}"
client load "redeem used code @$SUCCESS_RATE/s (py)" "$URL" "$WORK/used-many.jsonl" "$SUCCESS_RATE" "$SUCCESS_COUNT"
client load "redeem fresh codes @$SUCCESS_RATE/s (py)" "$URL" "$WORK/fresh.jsonl" "$SUCCESS_RATE" "$SUCCESS_COUNT"

sed 's/\x1b\[[0-9;]*m//g' "$WORK/server.log" >"$WORK/server.plain.log"
echo "== server log: $(grep -c 'served status=' "$WORK/server.plain.log" || true) requests logged;" \
    "statuses: $(sed -n 's/.*served status=\([0-9]*\).*/\1/p' "$WORK/server.plain.log" | sort | uniq -c | awk '{printf "%s x%s ", $2, $1}')" \
    "WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$WORK/server.plain.log" || true)"
