#!/usr/bin/env bash
# Whole-system load run of the staff invitation list, /staff/invitations (issue #18), with COUNT
# invitations in one practice and OTHER in a second, on SQLite and on PostgreSQL (BENCHMARKS.md).
#
# For each database: a release `portico serve` on a fresh data folder (and a fresh PostgreSQL
# database), pinned to one core; the load from the other core, only on 127.0.0.1. The invitations
# are written by `portico bench seed-invitations`: the rows the service writes (search terms
# included), fast, states spread over two years. The staff member signs in once; then, each at
# RATE requests a second for SECONDS, open loop (latency counted from when a request was due):
#   1. GET /healthz: the machine's floor, no database.
#   2. the first page (50 rows, newest first), as the front desk opens it.
#   3. a deep page: after the row DEEP (50,000) down (keyset: as cheap as the first page).
#   4. searches by full name, by surname, by the last four digits of a phone number, and by the
#      start of an email address (rotating through several of each).
#   5. the locked invitations (?state=locked, the dashboard's link).
# Every page is audited (one event per invitation shown), so each request also writes 50 rows.
#
# Needs: a release build (cargo build --release -p portico), python3, curl, taskset, sqlite3,
# psql and a PostgreSQL server that PG_ADMIN_URL can create databases on (trust auth is fine).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORTICO=${PORTICO:-${CARGO_TARGET_DIR:-$ROOT/target}/release/portico}
COUNT=${COUNT:-100000}
DEEP=${DEEP:-50000}
OTHER=${OTHER:-5000}
RATE=${RATE:-50}
SECONDS_EACH=${SECONDS_EACH:-30}
BACKENDS=${BACKENDS:-sqlite postgres}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PASSWORD="quiet meadow lantern river"

for tool in python3 curl taskset sqlite3 psql; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[[ -x $PORTICO ]] || { echo "no release build at $PORTICO (set PORTICO or CARGO_TARGET_DIR)" >&2; exit 1; }

client() { taskset -c "$LOAD_CPU" python3 "$ROOT/bench/invitation_list.py" "$@"; }

WORK=
SERVER_PID=
PG_DB=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" || true
    fi
    SERVER_PID=
    if [[ -n $PG_DB ]]; then
        psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
        PG_DB=
    fi
    if [[ -n $WORK ]]; then
        if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
        WORK=
    fi
}
trap cleanup EXIT

run() { # backend
    local backend=$1
    WORK=$(mktemp -d -t portico-list-bench.XXXXXX)
    local data=$WORK/data
    mkdir "$data"
    unset DATABASE_URL
    if [[ $backend == postgres ]]; then
        PG_DB=portico_list_bench_$$
        psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB"
        export DATABASE_URL=${PG_ADMIN_URL%/*}/$PG_DB
    fi
    local practice other token
    practice=$(echo "$PASSWORD" | "$PORTICO" admin create --practice "Bench Clinic" \
        --email bench@clinic.example --data-dir "$data" 2>/dev/null)
    other=$(echo "$PASSWORD" | "$PORTICO" admin create --practice "Other Clinic" \
        --email other@clinic.example --data-dir "$data" 2>/dev/null)
    token=$("$PORTICO" admin token create --practice "$practice" --data-dir "$data" 2>/dev/null)

    # The file exists before the server writes to it: `sed` below must not fail (and end the
    # script under `set -e`) when it looks before the server has started.
    : >"$WORK/server.out"
    taskset -c "$SERVER_CPU" "$PORTICO" serve --listen 127.0.0.1:0 --data-dir "$data" \
        >"$WORK/server.out" 2>"$WORK/server.log" &
    SERVER_PID=$!
    local url=
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$WORK/server.out")
        [[ -n $url ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n $url ]] || { echo "the server printed no address" >&2; exit 1; }
    client setup "$url" "$token"

    echo "== $backend: seeding $COUNT + $OTHER invitations"
    taskset -c "$SERVER_CPU" "$PORTICO" bench seed-invitations --practice "$practice" \
        --count "$COUNT" --seed 1 --data-dir "$data" 2>/dev/null
    taskset -c "$SERVER_CPU" "$PORTICO" bench seed-invitations --practice "$other" \
        --count "$OTHER" --seed 2 --data-dir "$data" 2>/dev/null

    # The row DEEP down in the default order (half the list for a small run), as the cursor the
    # page's "Next" link would carry there (`newest:<id>:<created_at>`, base64url): the page after
    # it is the deep page.
    local deep_row=$((DEEP < COUNT / 2 ? DEEP : COUNT / 2))
    local query="SELECT id || ' ' || created_at FROM invitations WHERE practice_id = '$practice'
                 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $((deep_row - 1))"
    local row
    if [[ $backend == postgres ]]; then
        # As autovacuum leaves the tables after a bulk load (statistics, visibility map).
        psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
        row=$(psql "$DATABASE_URL" -tAc "$query")
    else
        row=$(sqlite3 "$data/portico.db" "$query")
    fi
    local deep
    deep=$(python3 -c 'import base64,sys; i,at=sys.argv[1].split(); print(base64.urlsafe_b64encode(f"newest:{i}:{at}".encode()).decode().rstrip("="))' "$row")

    local cookie
    cookie=$(client sign-in "$url" bench@clinic.example "$PASSWORD")
    local list=/staff/invitations
    echo "== $backend, $(date -u +%FT%TZ), $(nproc) cores, $COUNT invitations (+$OTHER in another practice)"
    client header
    client load "healthz" "$url" - "$RATE" "$SECONDS_EACH" /healthz
    client load "first page" "$url" "$cookie" "$RATE" "$SECONDS_EACH" "$list"
    client load "deep page (row $deep_row)" "$url" "$cookie" "$RATE" "$SECONDS_EACH" "$list?cursor=$deep"
    client load "search: full name" "$url" "$cookie" "$RATE" "$SECONDS_EACH" \
        "$list?q=maria+garcia" "$list?q=jose+lopez" "$list?q=emile+nguyen" "$list?q=sofia+martinez" \
        "$list?q=ben+smith" "$list?q=ngozi+okafor" "$list?q=zoe+muller" "$list?q=hugo+rossi"
    client load "search: surname" "$url" "$cookie" "$RATE" "$SECONDS_EACH" \
        "$list?q=garcia" "$list?q=lopez" "$list?q=okafor" "$list?q=nguyen" \
        "$list?q=obrien" "$list?q=kowalski" "$list?q=diaz" "$list?q=wisniewski"
    client load "search: phone, last 4 digits" "$url" "$cookie" "$RATE" "$SECONDS_EACH" \
        "$list?q=0123" "$list?q=4567" "$list?q=8901" "$list?q=2345" \
        "$list?q=6789" "$list?q=5555" "$list?q=1029" "$list?q=3847"
    client load "search: start of an email" "$url" "$cookie" "$RATE" "$SECONDS_EACH" \
        "$list?q=maria.garcia1" "$list?q=jose.lopez2" "$list?q=emile.nguyen3" \
        "$list?q=ben.smith4" "$list?q=ngozi.okafor5" "$list?q=hugo.rossi6"
    client load "locked ones (?state=locked)" "$url" "$cookie" "$RATE" "$SECONDS_EACH" \
        "$list?state=locked"

    sed 's/\x1b\[[0-9;]*m//g' "$WORK/server.log" >"$WORK/server.plain.log"
    echo "== server log: WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$WORK/server.plain.log" || true)"
    cleanup
}

for backend in $BACKENDS; do
    run "$backend"
done
