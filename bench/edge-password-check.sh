#!/usr/bin/env bash
# Times POST /api/v1/public/password-check at the largest accepted size (every field at its typed
# limit, distinct words) and a 1.8 MB body, against a release build on SQLite. See BENCHMARKS.md, "The password meter at its limits".
set -euo pipefail
bin=${PORTICO_BIN:-target/release/portico}
runs=${RUNS:-50}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import json, sys
def words(n, tag="w"):
    s, i = "", 0
    while len(s) < n:
        s += f"{tag}{i}x "
        i += 1
    return s[:n]
d = sys.argv[1]
# Every field at its typed limit; the password shares no word with the personal details, so every
# check runs to the end (common list, personal details, zxcvbn with the details as user inputs).
details = {"first_name": words(400, "f"), "last_name": words(400, "l"),
           "email": words(508, "e"), "birth_date": words(32, "b")}
json.dump({"password": words(512, "p"), **details}, open(f"{d}/largest.json", "w"))
json.dump({"password": words(128, "p"), **details}, open(f"{d}/longest-valid.json", "w"))
json.dump({"password": "copper lantern orbit meadow", "first_name": words(1_800_000)},
          open(f"{d}/huge.json", "w"))
PY
PORTICO_LIMIT_PASSWORD_CHECKS=1000000 PORTICO_LOG=warn "$bin" serve --data-dir "$dir/data" \
  --listen 127.0.0.1:0 > "$dir/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$dir/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$dir/out" | head -1)
time_of() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'content-type: application/json' \
    --data-binary "@$1" "$url/api/v1/public/password-check"
}
echo "largest accepted ($(wc -c < "$dir/largest.json") bytes), $runs runs: status and seconds"
for _ in $(seq "$runs"); do time_of "$dir/largest.json"; done | sort -k2 -n | awk '
  { s[NR]=$2; c[$1]++ } END { printf "statuses:"; for (k in c) printf " %s x%d", k, c[k];
  printf "\nmin %.4f  median %.4f  p90 %.4f  max %.4f\n", s[1], s[int(NR/2)+1], s[int(NR*0.9)], s[NR] }'
echo "longest password the rules accept (128 characters), same details, $runs runs:"
for _ in $(seq "$runs"); do time_of "$dir/longest-valid.json"; done | sort -k2 -n | awk '
  { s[NR]=$2; c[$1]++ } END { printf "statuses:"; for (k in c) printf " %s x%d", k, c[k];
  printf "\nmin %.4f  median %.4f  p90 %.4f  max %.4f\n", s[1], s[int(NR/2)+1], s[int(NR*0.9)], s[NR] }'
echo "1.8 MB of distinct words ($(wc -c < "$dir/huge.json") bytes), 5 runs:"
for _ in 1 2 3 4 5; do time_of "$dir/huge.json"; done
