#!/usr/bin/env bash
# The API document against the running service: starts `portico serve` on a fresh SQLite data
# folder with a practice and an API token made through the CLI, and runs schemathesis (pinned in
# .ci/schemathesis-requirements.txt, configured in .ci/schemathesis.toml) with every check over
# every operation of /api/openapi.json. Bounded and reproducible: a fixed seed, deterministic
# generation and a fixed number of examples per operation. Exits non-zero, loudly, when
# schemathesis finds anything or cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { printf '\nSCHEMATHESIS FAILED: %s\n' "$*" >&2; exit 1; }

python3 -c 'import schemathesis' 2>/dev/null \
  || die "schemathesis is not installed (pip install -r .ci/schemathesis-requirements.txt)"
cargo build --locked -p portico --bin portico || die "could not build portico"
portico="${CARGO_TARGET_DIR:-$PWD/target}/debug/portico"
[ -x "$portico" ] || die "no portico binary at $portico"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Guessing limits far above what the run sends, so requests reach the rules behind them (429 is
# documented and accepted wherever it can happen).
export PORTICO_LIMIT_INVITE_CODE_ATTEMPTS=1000000 PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS=1000000 \
  PORTICO_LIMIT_CODE_LOOKUPS_GLOBAL=1000000 PORTICO_LIMIT_PASSWORD_CHECKS=1000000 \
  PORTICO_LIMIT_REGISTRATIONS_PER_ADDRESS=1000000
data=(--data-dir "$work/data")
practice_id=$(printf 'quiet meadow lantern river\n' \
  | "$portico" "${data[@]}" admin create --practice "Schemathesis Clinic" --email fuzz@clinic.example) \
  || die "portico admin create failed"
token=$("$portico" "${data[@]}" admin token create --practice "$practice_id" --label schemathesis 2>/dev/null) \
  || die "portico admin token create failed"

"$portico" "${data[@]}" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -om1 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" || true)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; die "portico serve stopped"; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; die "portico serve did not say where it listens"; }

started=$(date +%s)
status=0
# A hard bound on top of the bounded run: a hung service fails the step instead of the machine.
PORTICO_API_TOKEN="$token" SCHEMATHESIS_HOOKS="$PWD/.ci/schemathesis_hooks.py" \
  timeout 900 python3 -m schemathesis.cli --config-file .ci/schemathesis.toml \
  run "$url/api/openapi.json" --checks all --workers 1 --no-color ${SCHEMATHESIS_ARGS:-} || status=$?
printf 'schemathesis ran for %ss\n' "$(( $(date +%s) - started ))"
kill -0 "$server" 2>/dev/null || { tail -n 50 "$work/serve.log" >&2; die "portico serve died during the run"; }
[ "$status" -eq 0 ] || { tail -n 20 "$work/serve.log" >&2; die "schemathesis found problems (exit status $status)"; }
