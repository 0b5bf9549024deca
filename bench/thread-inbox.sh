#!/usr/bin/env bash
# Whole-system load run of the secure threads (issue #21): the staff and patient inboxes at RATE
# requests a second with PATIENTS patients, THREADS threads and MESSAGES messages in one
# practice, each set against a bare indexed SELECT of the same page measured in the same run,
# and then messages posted as fast as the service takes them (BENCHMARKS.md).
#
# For each database (BACKENDS, default postgres): a release `portico serve` on a fresh data
# folder and a fresh PostgreSQL database (dropped afterwards), pinned to one core; the load from
# the other core, only on 127.0.0.1. The rows are written by `portico bench seed-threads`: the
# rows the service writes (patients signed up and linked, staff members, threads with sealed
# subjects, messages with sealed bodies, counts and read marks consistent), fast. The first
# seeded staff member (a fifth of the threads) and the first patient (50 threads) sign in; then,
# each at RATE requests a second for SECONDS_EACH, open loop (latency counted from when a
# request was due):
#   1. GET /healthz: the machine's floor, no database.
#   2. the staff inbox's first page, /staff/messages (50 threads, 51 read to know whether more
#      follow; every page audits each thread it shows: 50 audit rows a request), and the same
#      page from the API, GET /api/v1/threads.
#   3. the patient's inbox, /portal/messages (50 threads), and GET /api/v1/patient/threads.
#   4. the reference (PostgreSQL only): the inbox's own SELECT (store::threads::for_staff and
#      for_patient, LIMIT 51 and 200, planned per call as the service's connections are) run by
#      pgbench from the load core, prepared, at the same rate, with its latency also counted
#      from when each was due.
# Then posting: POST_COUNT staff replies through POST /api/v1/threads/{id}/messages (session
# cookie and CSRF header) on POST_CONNECTIONS connections, closed loop, round POST_THREADS of the
# staff member's threads. Each post is the service's whole path: the message, the thread's
# counts, an audit event and a queued notification in one transaction, then the thread read
# back as the answer (its messages opened, the read mark and its audit event). The delivery
# worker is off (WORKER=false) so that no delivery competes. Reference: the UPDATE threads …
# RETURNING + INSERT thread_messages of a post alone, by pgbench, on as many connections.
#
# KEEP=1 keeps the data folder and the database.
#
# Needs: a release build (cargo build --release -p portico), python3, curl, taskset, psql and
# pgbench (postgresql-client), a PostgreSQL server that PG_ADMIN_URL can create databases on.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORTICO=${PORTICO:-${CARGO_TARGET_DIR:-$ROOT/target}/release/portico}
PATIENTS=${PATIENTS:-10000}
THREADS=${THREADS:-20000}
MESSAGES=${MESSAGES:-1000000}
STAFF=${STAFF:-8}
RATE=${RATE:-100}
SECONDS_EACH=${SECONDS_EACH:-30}
POST_COUNT=${POST_COUNT:-3000}
POST_CONNECTIONS=${POST_CONNECTIONS:-8}
POST_THREADS=${POST_THREADS:-1000}
WORKER=${WORKER:-false}
BACKENDS=${BACKENDS:-postgres}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PASSWORD="quiet meadow lantern river"

for tool in python3 curl taskset psql pgbench $([[ $BACKENDS == *sqlite* ]] && echo sqlite3); do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[[ -x $PORTICO ]] || { echo "no release build at $PORTICO (set PORTICO or CARGO_TARGET_DIR)" >&2; exit 1; }

client() { taskset -c "$LOAD_CPU" python3 "$ROOT/bench/thread_inbox.py" "$@"; }

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
        if [[ ${KEEP:-0} == 1 ]]; then
            echo "kept database $PG_DB"
        else
            psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
        fi
        PG_DB=
    fi
    if [[ -n $WORK ]]; then
        if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
        WORK=
    fi
}
trap cleanup EXIT

# The inbox's query as the store runs it (crates/store/src/threads/mod.rs, thread_select! with
# for_staff / for_patient), with pgbench's variables for its parameters.
SELECT_THREADS="SELECT t.id, t.practice_id, pr.name AS practice_name, pr.time_zone, t.staff_id,
       s.display_name AS staff_name, t.patient_id, p.first_name, p.last_name,
       t.subject_sealed, t.last_message_at, t.staff_unread, t.patient_unread,
       t.staff_read_at, t.staff_read_seq, t.message_count, t.created_at,
       (SELECT 1 FROM patient_links l
         WHERE l.patient_id = t.patient_id AND l.practice_id = t.practice_id
           AND (l.ended_at IS NULL OR l.ended_at > :now)
         LIMIT 1) IS NOT NULL AS in_force
FROM threads t
JOIN practices pr ON pr.id = t.practice_id
JOIN staff s ON s.id = t.staff_id
JOIN patients p ON p.id = t.patient_id"
# The first page: no cursor (the service binds NULLs; pgbench variables cannot be NULL, so the
# same parameters come through NULLIF).
STAFF_INBOX_SQL="$SELECT_THREADS
WHERE t.staff_id = :sid AND t.practice_id = :practice
  AND (NULLIF(:at, -1) IS NULL OR t.last_message_at < NULLIF(:at, -1)
       OR (t.last_message_at = NULLIF(:at, -1) AND t.id < NULLIF(:cid, '-')))
ORDER BY t.last_message_at DESC, t.id DESC LIMIT 51;"
PATIENT_INBOX_SQL="$SELECT_THREADS
WHERE t.patient_id = :patient AND (NULLIF(:practice, '-') IS NULL OR t.practice_id = NULLIF(:practice, '-'))
ORDER BY t.last_message_at DESC, t.id LIMIT 200;"

# pgbench at RATE for SECONDS_EACH from the load core, 8 connections, prepared statements planned
# per call (as the service's connections are: plan_cache_mode=force_custom_plan); prints the
# client's line from its per-transaction log.
reference() { # name sql-file -D…
    local name=$1 file=$2
    shift 2
    rm -f "$WORK"/pgbench_log.*
    (cd "$WORK" && PGOPTIONS="-c plan_cache_mode=force_custom_plan" taskset -c "$LOAD_CPU" \
        pgbench -n -M prepared -c 8 -j 1 -R "$RATE" -T "$SECONDS_EACH" -f "$file" "$@" \
        --log --log-prefix=pgbench_log "$DATABASE_URL" >"$WORK/pgbench.out" 2>&1) ||
        { cat "$WORK/pgbench.out" >&2; exit 1; }
    client pgbench-log "$name" "$SECONDS_EACH" "$WORK"/pgbench_log.*
}

run() { # backend
    local backend=$1
    WORK=$(mktemp -d -t portico-threads-bench.XXXXXX)
    local data=$WORK/data
    mkdir "$data"
    unset DATABASE_URL
    if [[ $backend == postgres ]]; then
        PG_DB=portico_threads_bench_$$
        psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB"
        export DATABASE_URL=${PG_ADMIN_URL%/*}/$PG_DB
    fi
    local practice
    practice=$(echo "$PASSWORD" | "$PORTICO" admin create --practice "Bench Clinic" \
        --email bench@clinic.example --data-dir "$data" 2>/dev/null)

    # Made before the server starts, so that the first look for its address finds the file.
    : >"$WORK/server.out"
    PORTICO_DELIVERY_WORKER=$WORKER taskset -c "$SERVER_CPU" "$PORTICO" serve \
        --listen 127.0.0.1:0 --data-dir "$data" >"$WORK/server.out" 2>"$WORK/server.log" &
    SERVER_PID=$!
    local url=
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$WORK/server.out")
        [[ -n $url ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n $url ]] || { echo "the server printed no address" >&2; exit 1; }

    echo "== $backend: seeding $PATIENTS patients, $THREADS threads, $MESSAGES messages, $STAFF staff"
    echo "$PASSWORD" | taskset -c "$SERVER_CPU" "$PORTICO" bench seed-threads --practice "$practice" \
        --patients "$PATIENTS" --threads "$THREADS" --messages "$MESSAGES" --staff "$STAFF" \
        --seed 1 --data-dir "$data" >"$WORK/seed.out" 2>"$WORK/seed.err" ||
        { cat "$WORK/seed.err" >&2; exit 1; }
    tail -n 1 "$WORK/seed.err"
    local staff_email staff_threads patient_email patient_threads
    read -r _ staff_email staff_threads < <(grep '^staff ' "$WORK/seed.out")
    read -r _ patient_email patient_threads < <(grep '^patient ' "$WORK/seed.out")
    echo "signing in as $staff_email ($staff_threads threads) and $patient_email ($patient_threads threads)"

    local staff_id patient_id now
    now=$(date +%s%3N)
    if [[ $backend == postgres ]]; then
        # As autovacuum leaves the tables after a bulk load (statistics, visibility map).
        psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
        staff_id=$(psql "$DATABASE_URL" -tAc "SELECT id FROM staff WHERE email = '$staff_email'")
        patient_id=$(psql "$DATABASE_URL" -tAc "SELECT id FROM patients WHERE email = '$patient_email'")
        echo "$STAFF_INBOX_SQL" >"$WORK/staff_inbox.sql"
        echo "$PATIENT_INBOX_SQL" >"$WORK/patient_inbox.sql"
        echo "== EXPLAIN ANALYZE of the staff inbox's SELECT"
        echo "EXPLAIN (ANALYZE, BUFFERS) $STAFF_INBOX_SQL" | psql "$DATABASE_URL" -X -q \
            -v now="$now" -v sid="'$staff_id'" -v practice="'$practice'" -v at=-1 -v cid="'-'" \
            | sed -e 's/^/    /'
        echo "== EXPLAIN ANALYZE of the patient inbox's SELECT"
        echo "EXPLAIN (ANALYZE, BUFFERS) $PATIENT_INBOX_SQL" | psql "$DATABASE_URL" -X -q \
            -v now="$now" -v patient="'$patient_id'" -v practice="'-'" | sed -e 's/^/    /'
    fi

    local staff_cookie csrf patient_cookie
    read -r staff_cookie csrf < <(client staff-sign-in "$url" "$staff_email" "$PASSWORD")
    [[ -n $csrf ]] || { echo "the staff member could not sign in" >&2; exit 1; }
    patient_cookie=$(client patient-sign-in "$url" "$patient_email" "$PASSWORD")

    echo "== $backend, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
        "$PATIENTS patients, $THREADS threads, $MESSAGES messages"
    client header
    client load "healthz" "$url" - "$RATE" "$SECONDS_EACH" /healthz
    client load "staff inbox page (/staff/messages)" "$url" "$staff_cookie" "$RATE" "$SECONDS_EACH" \
        /staff/messages
    client load "staff inbox API (/api/v1/threads)" "$url" "$staff_cookie" "$RATE" "$SECONDS_EACH" \
        /api/v1/threads
    if [[ $backend == postgres ]]; then
        reference "reference: staff inbox SELECT (pgbench)" staff_inbox.sql \
            -D now="$now" -D sid="$staff_id" -D practice="$practice" -D at=-1 -D cid=-
    fi
    client load "patient inbox page (/portal/messages)" "$url" "$patient_cookie" "$RATE" \
        "$SECONDS_EACH" /portal/messages
    client load "patient inbox API (/api/v1/patient/threads)" "$url" "$patient_cookie" "$RATE" \
        "$SECONDS_EACH" /api/v1/patient/threads
    if [[ $backend == postgres ]]; then
        # pgbench has no NULL variable: '-' stands for it (NULLIF), folded away at planning as
        # the service's NULL is.
        reference "reference: patient inbox SELECT (pgbench)" patient_inbox.sql \
            -D now="$now" -D patient="$patient_id" -D practice=-
    fi

    echo "== posting: $POST_COUNT staff replies, $POST_CONNECTIONS connections, round $POST_THREADS threads"
    client header
    if [[ $backend == postgres ]]; then
        psql "$DATABASE_URL" -tAc "SELECT id FROM threads WHERE staff_id = '$staff_id'
            ORDER BY md5(id) LIMIT $POST_THREADS" >"$WORK/post_ids"
    else
        sqlite3 "$data/portico.db" "SELECT t.id FROM threads t JOIN staff s ON s.id = t.staff_id
            WHERE s.email = '$staff_email' ORDER BY random() LIMIT $POST_THREADS" >"$WORK/post_ids"
    fi
    client post "staff replies (POST /api/v1/threads/{id}/messages)" "$url" "$staff_cookie" \
        "$csrf" "$POST_COUNT" "$POST_CONNECTIONS" "$WORK/post_ids"
    if [[ $backend == postgres ]]; then
        # The same rows a post writes to the thread and its messages, alone: one transaction
        # each, round the same threads (by number from a table made for it in this database).
        psql "$DATABASE_URL" -qc "CREATE TABLE bench_post_threads (n INT PRIMARY KEY, id TEXT)"
        psql "$DATABASE_URL" -qc "INSERT INTO bench_post_threads
            SELECT row_number() OVER (ORDER BY md5(id)), id FROM threads
            WHERE staff_id = '$staff_id' ORDER BY md5(id) LIMIT $POST_THREADS"
        local sealed
        sealed=$(psql "$DATABASE_URL" -tAc "SELECT body_sealed FROM thread_messages LIMIT 1")
        cat >"$WORK/post.sql" <<SQL
\\set k random(1, $POST_THREADS)
SELECT id AS tid FROM bench_post_threads WHERE n = :k \\gset
BEGIN;
UPDATE threads SET last_message_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
    staff_unread = staff_unread + 0, patient_unread = patient_unread + 1,
    message_count = message_count + 1
WHERE id = :tid RETURNING message_count AS seq \\gset
INSERT INTO thread_messages (id, thread_id, author_kind, author_id, body_sealed, seq, created_at)
VALUES (gen_random_uuid()::text, :tid, 'staff', '$staff_id', '$sealed', :seq,
        (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
END;
SQL
        rm -f "$WORK"/pgbench_post.*
        local per_client=$((POST_COUNT / POST_CONNECTIONS))
        (cd "$WORK" && taskset -c "$LOAD_CPU" pgbench -n -M prepared -c "$POST_CONNECTIONS" -j 1 \
            -t "$per_client" -f post.sql --log --log-prefix=pgbench_post "$DATABASE_URL" \
            >"$WORK/post_pgbench.out" 2>&1) || { cat "$WORK/post_pgbench.out" >&2; exit 1; }
        client pgbench-log "reference: UPDATE + INSERT alone (pgbench)" - "$WORK"/pgbench_post.*
        grep -E '^tps' "$WORK/post_pgbench.out" | sed -e 's/^/    pgbench: /'
        psql "$DATABASE_URL" -qc "DROP TABLE bench_post_threads"
    fi

    sed 's/\x1b\[[0-9;]*m//g' "$WORK/server.log" >"$WORK/server.plain.log"
    echo "== server log: WARN/ERROR lines: $(grep -c -E ' (WARN|ERROR) ' "$WORK/server.plain.log" || true)"
    grep -E ' (WARN|ERROR) ' "$WORK/server.plain.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -5 || true
    cleanup
}

for backend in $BACKENDS; do
    run "$backend"
done
