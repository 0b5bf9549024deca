#!/usr/bin/env bash
# Bulk import (issue #22): `portico import` of generated CSV files of SIZES rows (default 100,000
# and 1,000,000) on SQLite and PostgreSQL (BACKENDS), each on a fresh database: rows per second
# and peak memory (maximum resident set size, from /usr/bin/time), set against the reference
# measured in the same run on the same database: `portico bench raw-insert`, the same file read
# by the same reader and its rows written as they are into a scratch table, in transactions of
# the import's batch size. Channels: email and SMS (each row queues the messages it has an
# address for; no worker runs, so nothing is sent). Both commands run pinned to one core
# (CORE, default 1), as the service would run beside its database on the other.
#
# KEEP=1 keeps the files, data folders and databases.
#
# Needs: a release build (cargo build --release -p portico), python3, taskset, /usr/bin/time,
# psql, and a PostgreSQL server that PG_ADMIN_URL can create databases on.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORTICO=${PORTICO:-${CARGO_TARGET_DIR:-$ROOT/target}/release/portico}
SIZES=${SIZES:-"100000 1000000"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
CORE=${CORE:-1}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PASSWORD="bench import lantern river"

[ -x "$PORTICO" ] || { echo "no release build at $PORTICO: cargo build --release -p portico" >&2; exit 1; }
WORK=$(mktemp -d)
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS portico_bench_import" >/dev/null 2>&1 || true
  else
    echo "kept $WORK" >&2
  fi
}
trap cleanup EXIT

# Runs portico pinned to the core, under /usr/bin/time; prints "<seconds> <max RSS kB>" on the
# last line of $WORK/time.
timed() {
  /usr/bin/time -f "%e %M" -o "$WORK/time" taskset -c "$CORE" "$PORTICO" "$@"
}

printf "%-9s %9s %14s %12s %16s %8s\n" backend rows "import rows/s" "peak RSS MB" "raw insert rows/s" ratio
for size in $SIZES; do
  file="$WORK/export-$size.csv"
  python3 "$ROOT/bench/import_csv.py" "$size" > "$file"
  for backend in $BACKENDS; do
    data="$WORK/data-$backend-$size"
    mkdir -p "$data"
    unset DATABASE_URL
    if [ "$backend" = postgres ]; then
      psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS portico_bench_import" >/dev/null
      psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE portico_bench_import" >/dev/null
      export DATABASE_URL="${PG_ADMIN_URL%/*}/portico_bench_import"
    fi
    practice=$(echo "$PASSWORD" | "$PORTICO" --data-dir "$data" admin create \
      --practice "Bench Clinic" --email admin@bench.example 2>/dev/null)
    timed --data-dir "$data" bench raw-insert "$file" > "$WORK/raw.out"
    raw_seconds=$(cut -d' ' -f1 < "$WORK/time")
    timed --data-dir "$data" import "$file" --practice "$practice" --channels email,sms \
      > "$WORK/import.out" 2> "$WORK/import.err"
    read -r seconds rss < "$WORK/time"
    invited=$(grep '^invited:' "$WORK/import.out" | awk '{print $2}')
    bad=$(grep '^bad:' "$WORK/import.out" | awk '{print $2}')
    [ "$((invited + bad))" -le "$size" ] || { echo "counts do not add up" >&2; exit 1; }
    python3 - "$backend" "$size" "$seconds" "$rss" "$raw_seconds" <<'PY'
import sys
backend, rows, seconds, rss, raw = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"{backend:<9} {rows:>9} {rows / seconds:>14,.0f} {rss / 1024:>12.1f} {rows / raw:>16,.0f} {raw / seconds:>8.2f}")
PY
  done
done
