#!/usr/bin/env bash
# Whole-system load run of complete patient registrations through the JSON API on SQLite, set
# against the Argon2id limit of the same core (BENCHMARKS.md, "Registration load run").
#
# Each registration costs exactly one Argon2id hash (its details step), so one core cannot
# register faster than it hashes. The run, only on 127.0.0.1, bounded in count:
#   1. builds the release binary (honours CARGO_TARGET_DIR; BUILD=0 skips it),
#   2. the limit: `portico bench hash` on CPU $SERVER_CPU for HASH_SECONDS (the same hasher and
#      Argon2id parameters as registration, one thread),
#   3. a fresh `portico serve` on SQLite in a temporary folder, pinned to CPU $SERVER_CPU, with its
#      delivery worker on and SMS through the provider API pointed at the client's stand-in
#      (Twilio-shaped, 201 with a message sid); the code look-up limit raised so that nothing is
#      throttled,
#   4. a practice, admin and API token from the CLI, a provider code from the API,
#   5. bench/register_load.py on CPU $LOAD_CPU: N registrations by CONCURRENCY workers, each the
#      whole path (start with the code, details, send the SMS code, wait for the stand-in to
#      receive it, verify, accept the terms, complete), reporting registrations/s, failures, p50/p99
#      of a whole registration and of each step, the server's CPU time, and the ratio to the limit,
#   6. the limit once more after the server stopped, to show drift on this shared machine.
# The server is on one core, so registrations/s is per core. The worker's SMS delivery is in each
# registration's latency (it polls the outbox every 500 ms when it finds it empty: ~0.25 s per
# registration) but should not limit throughput: with 16 workers it still did (the server idled a
# quarter of the time), so the default is 32, which keeps the server's core busy.
#
# Needs: cargo, python3 (standard library only), taskset. Settings: N, CONCURRENCY, HASH_SECONDS,
# SERVER_CPU, LOAD_CPU, BUILD=0, KEEP=1, PORTICO.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PORTICO=${PORTICO:-$TARGET/release/portico}
CLIENT=$ROOT/bench/register_load.py
N=${N:-600}
CONCURRENCY=${CONCURRENCY:-32}
HASH_SECONDS=${HASH_SECONDS:-10}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

for tool in cargo python3 taskset; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
if [[ ${BUILD:-1} == 1 ]]; then
    (cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release -p portico)
fi
[[ -x $PORTICO ]] || { echo "no release build at $PORTICO (set PORTICO or CARGO_TARGET_DIR)" >&2; exit 1; }

WORK=$(mktemp -d -t portico-register.XXXXXX)
DATA=$WORK/data
mkdir "$DATA"
SERVER_PID=
stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" || true
    fi
    SERVER_PID=
}
cleanup() {
    stop_server
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

hash_limit() { # prints bench hash's line and its CPU time; the figures go to the JSON file $1
    python3 "$CLIENT" limit "$1" taskset -c "$SERVER_CPU" "$PORTICO" bench hash --seconds "$HASH_SECONDS"
}

echo "== $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
    "N=$N, CONCURRENCY=$CONCURRENCY; server on CPU $SERVER_CPU, client on CPU $LOAD_CPU; $WORK"
echo "== limit: one thread hashing on CPU $SERVER_CPU for $HASH_SECONDS s"
hash_limit "$WORK/limit-before.json"

PRACTICE=$(echo "quiet meadow lantern river" |
    "$PORTICO" admin create --practice "Bench Clinic" --email bench@clinic.example --data-dir "$DATA" 2>/dev/null)
TOKEN=$("$PORTICO" admin token create --practice "$PRACTICE" --data-dir "$DATA" 2>/dev/null)
SMS_PORT=$(python3 "$CLIENT" free-port)

# The code look-up limit is per address and every request comes from 127.0.0.1; successful
# look-ups are refunded, so this only matters if something goes wrong, but it must not throttle.
# So are the limits added since on what one address may do — the registrations it opens, the
# phone codes it has sent, the code look-ups of all callers together — and the phone codes of one
# practice: every registration of the run comes from 127.0.0.1, to one practice.
: >"$WORK/server.out" # before the start, so that polling it does not race its creation
PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS=1000000 PORTICO_LIMIT_INVITE_CODE_ATTEMPTS=1000000 \
    PORTICO_LIMIT_REGISTRATIONS_PER_ADDRESS=1000000 PORTICO_LIMIT_PHONE_CODES_PER_ADDRESS=1000000 \
    PORTICO_LIMIT_PHONE_CODES_PER_PRACTICE=1000000 PORTICO_LIMIT_CODE_LOOKUPS_GLOBAL=1000000 \
    PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS_PER_ADDRESS=1000000 \
    PORTICO_DELIVERY_WORKER=true \
    PORTICO_SMS_TRANSPORT=http PORTICO_SMS_BASE_URL="http://127.0.0.1:$SMS_PORT" \
    PORTICO_SMS_ACCOUNT_SID=ACbench PORTICO_SMS_AUTH_TOKEN=bench-token PORTICO_SMS_FROM=+12025550100 \
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
CODE=$(python3 "$CLIENT" provider-code "$URL" "$TOKEN")
echo "== server at $URL (pid $SERVER_PID), stand-in SMS provider on port $SMS_PORT, provider code $CODE"

STATUS=0
taskset -c "$LOAD_CPU" python3 "$CLIENT" run "$URL" "$SMS_PORT" "$CODE" "$N" "$CONCURRENCY" "$WORK/limit-before.json" \
    "$SERVER_PID" || STATUS=$?

python3 - "$DATA/portico.db" <<'PY' || true
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute("SELECT channel, state, count(*) FROM outbox GROUP BY channel, state").fetchall()
print("== outbox: " + (", ".join(f"{c} {s} x{n}" for c, s, n in rows) or "empty"))
PY
stop_server
sed 's/\x1b\[[0-9;]*m//g' "$WORK/server.log" >"$WORK/server.plain.log"
echo "== server log: statuses" \
    "$(sed -n 's/.*served status=\([0-9]*\).*/\1/p' "$WORK/server.plain.log" | sort | uniq -c | awk '{printf "%s x%s ", $2, $1}')" \
    "WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$WORK/server.plain.log" || true)"
grep -E ' (WARN|ERROR) ' "$WORK/server.plain.log" | head -5 || true

echo "== limit again, after the run"
hash_limit "$WORK/limit-after.json"
exit "$STATUS"
