#!/usr/bin/env bash
# Email delivery throughput from the outbox on SQLite (BENCHMARKS.md).
#
# Queues N invitation emails through the API of a release `portico serve` (worker off) on fresh
# temporary data folders, then times `portico worker` draining them, only on 127.0.0.1:
#   1. the limit, in the same run: aiosmtpd (Mailbox, CPU $SMTP_CPU) accepting N messages of the
#      same shape from a Python smtplib client on one connection (CPU $WORKER_CPU); for reference
#      also aiosmtpd's Sink handler, the Mailbox with a new connection for every message, and that
#      again writing each message as lettre 0.11 does (body and final "\r\n." in two writes,
#      no TCP_NODELAY; SPLIT_N messages, default 100);
#   2. emails/s: `portico worker` (CPU $WORKER_CPU) sending over SMTP to aiosmtpd (Mailbox, CPU
#      $SMTP_CPU), timed from its start until N files are in the Maildir (WORKER_HANDLER=Sink:
#      until the outbox is drained); the connections made are counted from `ss` samples (distinct
#      client ports, so a lower bound when the kernel reuses a port);
#   3. claim rate without sending: `portico worker` with PORTICO_EMAIL_TRANSPORT=log on a second
#      data folder, timed from its start until no email is pending or sending in the outbox.
# Setup (admin, token, invitations) is not timed. The serving process is stopped before timing.
#
# Needs: a release build (CARGO_TARGET_DIR=... cargo build --release -p portico), python3 with
# aiosmtpd (pip install aiosmtpd), curl, taskset, ss. Options: N (2000), WORKER_CPU (0), SMTP_CPU (1),
# KEEP=1 keeps the temporary folder.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORTICO=${PORTICO:-${CARGO_TARGET_DIR:-$ROOT/target}/release/portico}
N=${N:-2000}
WORKER_CPU=${WORKER_CPU:-0}
SMTP_CPU=${SMTP_CPU:-1}
WORKER_HANDLER=${WORKER_HANDLER:-Mailbox} # or Sink: done when the outbox is drained, no files
SPLIT_N=${SPLIT_N:-100} # messages of the slow "two writes, no TCP_NODELAY" reference
TIMEOUT=${TIMEOUT:-300} # seconds any one timed phase may take

for tool in python3 curl taskset ss; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
python3 -c 'import aiosmtpd' 2>/dev/null || { echo "missing: aiosmtpd (pip install aiosmtpd)" >&2; exit 1; }
[[ -x $PORTICO ]] || { echo "no release build at $PORTICO (set PORTICO or CARGO_TARGET_DIR)" >&2; exit 1; }

WORK=$(mktemp -d -t portico-email-bench.XXXXXX)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

stop() { # pid: SIGTERM, wait, and forget it
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local kept=() pid
    for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
    PIDS=("${kept[@]+"${kept[@]}"}")
}

cat >"$WORK/bench.py" <<'PY'
import email.policy, http.client, json, os, signal, smtplib, sqlite3, subprocess, sys, threading, time
from email.message import EmailMessage
from urllib.parse import urlsplit

def create(url, token, count):
    """POSTs `count` invitations with an email each (4 keep-alive connections)."""
    u = urlsplit(url)
    headers = {"authorization": "Bearer " + token, "content-type": "application/json"}
    lock, left, made = threading.Lock(), [count], [0]
    def work():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
                n = left[0]
            body = json.dumps({"first_name": "Pat", "last_name": f"Bench{n}", "birth_date": "1980-02-03",
                               "email": f"pat{n}@patients.example", "channels": ["email"]})
            c.request("POST", "/api/v1/invitations", body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            if r.status != 201:
                raise SystemExit(f"creating an invitation answered {r.status}: {data[:200]!r}")
            with lock:
                made[0] += 1
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    if made[0] != count:
        raise SystemExit("some invitations were not created")

def message(n):
    """About the shape of an invite email: multipart/alternative, text and HTML."""
    text = ("Hello Pat,\n\nBench Clinic invites you to register before your first visit.\n\n"
            "Open https://portal.bench.example/i/xyz-234-abc and enter your date of birth.\n\n"
            "Your code: XYZ-234-ABC\n\nThe invitation expires in 14 days.\n\nBench Clinic\n")
    m = EmailMessage()
    m["From"] = "Bench Clinic <portal@bench.example>"
    m["To"] = f"pat{n}@patients.example"
    m["Subject"] = "Your invitation from Bench Clinic"
    m["Message-ID"] = f"<limit-{n}@bench.example>"
    m.set_content(text, cte="quoted-printable")
    m.add_alternative("<!doctype html><html><body><p>" + text.replace("\n\n", "</p><p>") + "</p></body></html>",
                      subtype="html", cte="quoted-printable")
    return m.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as on the wire

def smtp_limit(port, count, mode):
    """Sends `count` messages with smtplib and prints msgs/s. mode: `one` connection for all;
    `per-message`, a connection for each; `per-message-split`, a connection for each with the
    message and its final "\\r\\n.\\r\\n" in two writes and no TCP_NODELAY (as lettre 0.11 writes)."""
    msgs = [message(i) for i in range(count)]
    t0 = time.perf_counter()
    s = None
    for i, m in enumerate(msgs):
        if s is None:
            s = smtplib.SMTP("127.0.0.1", port, timeout=30)
        rcpt = f"pat{i}@patients.example"
        if mode == "per-message-split":
            s.ehlo(); s.mail("portal@bench.example"); s.rcpt(rcpt)
            s.putcmd("data")
            assert s.getreply()[0] == 354
            s.send(m[:-2])  # the message without its last CRLF, then the terminator
            s.send(b"\r\n.\r\n")
            code, reply = s.getreply()
            if code != 250:
                raise SystemExit(f"the server answered {code} {reply!r}")
        else:
            s.sendmail("portal@bench.example", [rcpt], m)
        if mode != "one":
            s.quit()
            s = None
    if s is not None:
        s.quit()
    print(f"{count / (time.perf_counter() - t0):.1f}")

def count_files(d):
    try:
        return sum(1 for _ in os.scandir(d))
    except FileNotFoundError:
        return 0

def peers(port, seen):
    """Adds the client ends of TCP connections to `port` (any state; TIME-WAIT, on whichever side
    closed first, lasts 60 s) to `seen`; sampled every 0.5 s this counts the connections made."""
    out = subprocess.run(["ss", "-Htan", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True).stdout
    server = f"127.0.0.1:{port}"
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0] != "LISTEN":
            local, peer = parts[3], parts[4]
            seen.add(peer if local == server else local)

def timed_worker(mode, target, count, log_path, cmd):
    """Starts the worker (cmd), waits until it is done, stops it (SIGTERM); prints seconds and
    the TCP connections made to COUNT_PORT meanwhile (if set). Done is `count` files in the Maildir `target`
    (mode maildir) or no pending/sending email in the SQLite database `target` (mode outbox)."""
    count, deadline = int(count), time.perf_counter() + float(os.environ.get("TIMEOUT", "300"))
    db, port, seen, sampled = None, os.environ.get("COUNT_PORT"), set(), 0.0
    t0 = time.perf_counter()
    with open(log_path, "wb") as log:
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            if mode == "maildir":
                done = count_files(target) >= count
            else:
                if db is None and os.path.exists(target):
                    db = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=10)
                done = db is not None and db.execute(
                    "SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND state IN ('pending', 'sending')"
                ).fetchone()[0] == 0
            if port and time.perf_counter() - sampled > 0.5:
                peers(port, seen)
                sampled = time.perf_counter()
            if done:
                break
            if p.poll() is not None:
                raise SystemExit(f"the worker stopped early (exit {p.returncode}); see {log_path}")
            if time.perf_counter() > deadline:
                raise SystemExit(f"not done after {os.environ.get('TIMEOUT', '300')} s; see {log_path}")
            time.sleep(0.005)
        elapsed = time.perf_counter() - t0
        if port:
            peers(port, seen)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        if db is not None:
            db.close()
    print(f"{elapsed:.3f} {len(seen) if port else '-'}")

def outbox_report(db_path):
    """States of the email outbox, and the span the worker's own updated_at stamps cover."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    states = dict(db.execute("SELECT state, COUNT(*) FROM outbox WHERE channel = 'email' GROUP BY state"))
    lo, hi, n = db.execute("SELECT MIN(updated_at), MAX(updated_at), COUNT(*) FROM outbox "
                           "WHERE channel = 'email' AND state = 'sent'").fetchone()
    attempts = db.execute("SELECT MAX(attempts) FROM outbox WHERE channel = 'email'").fetchone()[0]
    span = ((hi - lo) / 1000) if n else 0.0
    rate = (n - 1) / span if span > 0 else float("nan")
    st = " ".join(f"{k}:{v}" for k, v in sorted(states.items()))
    print(f"outbox {st}; max attempts {attempts}; first to last sent {span:.2f} s = {rate:.1f}/s")

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "create":
        create(args[0], args[1], int(args[2]))
    elif cmd == "limit":
        smtp_limit(int(args[0]), int(args[1]), args[2])
    elif cmd == "timed":
        timed_worker(args[0], args[1], args[2], args[3], args[4:])
    elif cmd == "outbox":
        outbox_report(args[0])
    elif cmd == "files":
        d = args[0]
        sizes = [e.stat().st_size for e in os.scandir(d)]
        print(f"{len(sizes)} files, {sum(sizes) / max(1, len(sizes)):.0f} bytes on average")
    elif cmd == "free-port":
        import socket
        s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
py() { python3 "$WORK/bench.py" "$@"; }

# A fresh data folder with N emails queued through the API; the server is stopped afterwards.
queue_emails() { # data dir
    local data=$1 practice token url= pid
    mkdir "$data"
    practice=$(echo "quiet meadow lantern river" |
        "$PORTICO" admin create --practice "Bench Clinic" --email bench@clinic.example --data-dir "$data" 2>/dev/null)
    token=$("$PORTICO" admin token create --practice "$practice" --data-dir "$data" 2>/dev/null)
    : >"$data.serve.out" # before the start, so that polling it does not race its creation
    PORTICO_DELIVERY_WORKER=false taskset -c "$WORKER_CPU" \
        "$PORTICO" serve --listen 127.0.0.1:0 --data-dir "$data" >"$data.serve.out" 2>"$data.serve.log" &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$data.serve.out")
        [[ -n $url ]] && break
        kill -0 "$pid" 2>/dev/null || { cat "$data.serve.log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n $url ]] || { echo "the server printed no address" >&2; exit 1; }
    taskset -c "$SMTP_CPU" python3 "$WORK/bench.py" create "$url" "$token" "$N"
    stop "$pid"
}

SMTP_PID=
smtp_start() { # handler (Mailbox|Sink), maildir; sets PORT and SMTP_PID
    local handler=$1 maildir=$2 args=()
    PORT=$(py free-port)
    [[ $handler == Mailbox ]] && args=("$maildir")
    taskset -c "$SMTP_CPU" python3 -m aiosmtpd -n -l "127.0.0.1:$PORT" -c "aiosmtpd.handlers.$handler" \
        "${args[@]}" >"$WORK/smtp-$PORT.log" 2>&1 &
    SMTP_PID=$!
    PIDS+=("$SMTP_PID")
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()" 2>/dev/null && return
        sleep 0.1
    done
    echo "aiosmtpd did not start" >&2
    cat "$WORK/smtp-$PORT.log" >&2
    exit 1
}

limit() { # handler, one|per-message|per-message-split, count: prints msgs/s of aiosmtpd from
    # smtplib on CPU $WORKER_CPU
    smtp_start "$1" "$WORK/limit-$1-$2"
    taskset -c "$WORKER_CPU" python3 "$WORK/bench.py" limit "$PORT" "$3" "$2" >"$WORK/limit.txt"
    stop "$SMTP_PID"
    cat "$WORK/limit.txt"
}

echo "== $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); N=$N;" \
    "worker on CPU $WORKER_CPU, aiosmtpd on CPU $SMTP_CPU; $WORK"
started=$(date +%s)
queue_emails "$WORK/smtp-data"
queue_emails "$WORK/log-data"
echo "== queued $N emails in each of two data folders in $(($(date +%s) - started)) s"

limit Mailbox one "$N" >"$WORK/limit-mailbox.txt"
limit Sink one "$N" >"$WORK/limit-sink.txt"
limit Mailbox per-message "$N" >"$WORK/limit-per-message.txt"
limit Mailbox per-message-split "$SPLIT_N" >"$WORK/limit-split.txt"
LIMIT_MAILBOX=$(cat "$WORK/limit-mailbox.txt")
LIMIT_SINK=$(cat "$WORK/limit-sink.txt")
LIMIT_PER_MESSAGE=$(cat "$WORK/limit-per-message.txt")
LIMIT_SPLIT=$(cat "$WORK/limit-split.txt")

smtp_start "$WORKER_HANDLER" "$WORK/maildir"
if [[ $WORKER_HANDLER == Mailbox ]]; then done_when=(maildir "$WORK/maildir/new"); else done_when=(outbox "$WORK/smtp-data/portico.db"); fi
TIMED=$(
    PORTICO_EMAIL_TRANSPORT=smtp PORTICO_SMTP_HOST=127.0.0.1 PORTICO_SMTP_PORT=$PORT PORTICO_SMTP_TLS=none \
        PORTICO_EMAIL_FROM="Bench Clinic <portal@bench.example>" \
        COUNT_PORT=$PORT py timed "${done_when[@]}" "$N" "$WORK/worker-smtp.log" \
        taskset -c "$WORKER_CPU" "$PORTICO" worker --data-dir "$WORK/smtp-data")
read -r SMTP_SECONDS SMTP_CONNECTIONS <<<"$TIMED"
stop "$SMTP_PID"
SMTP_OUTBOX=$(py outbox "$WORK/smtp-data/portico.db")
MAIL_FILES=$(py files "$WORK/maildir/new" 2>/dev/null || echo "none (handler $WORKER_HANDLER)")

TIMED=$(
    PORTICO_EMAIL_TRANSPORT=log \
        py timed outbox "$WORK/log-data/portico.db" "$N" "$WORK/worker-log.log" \
        taskset -c "$WORKER_CPU" "$PORTICO" worker --data-dir "$WORK/log-data")
read -r LOG_SECONDS _ <<<"$TIMED"
LOG_OUTBOX=$(py outbox "$WORK/log-data/portico.db")

python3 - "$N" "$LIMIT_MAILBOX" "$LIMIT_SINK" "$LIMIT_PER_MESSAGE" "$LIMIT_SPLIT" "$SPLIT_N" "$SMTP_SECONDS" "$SMTP_CONNECTIONS" \
    "$LOG_SECONDS" "$WORKER_HANDLER" <<'PY'
import sys
n, lim, sink, per, split, split_n, smtp_s, conns, log_s, handler = sys.argv[1:]
n = int(n); lim, sink, per, split, smtp_s, log_s = map(float, (lim, sink, per, split, smtp_s, log_s))
emails = n / smtp_s
print(f"aiosmtpd limit (Mailbox, smtplib, one connection)  {lim:9.1f} msgs/s")
print(f"  for reference: Sink, one connection              {sink:9.1f} msgs/s")
print(f"  for reference: Mailbox, a connection per message {per:9.1f} msgs/s")
print(f"  ... and data + terminator in two writes, Nagle on {split:9.1f} msgs/s  ({split_n} messages)")
print(f"portico worker over SMTP ({handler:<7})                 {emails:9.1f} emails/s  ({n} in {smtp_s:.2f} s,"
      f" >= {conns} TCP connections to aiosmtpd)")
print(f"portico worker, log transport (claim rate)         {n / log_s:9.1f} msgs/s    ({n} in {log_s:.2f} s)")
print(f"ratio emails/s / aiosmtpd limit (Mailbox)          {emails / lim:9.3f}")
print(f"ratio emails/s / aiosmtpd limit (Sink)             {emails / sink:9.3f}")
print(f"target >= 300 emails/s: {'met' if emails >= 300 else 'MISSED'}")
PY
echo "== smtp run: $SMTP_OUTBOX; Maildir: $MAIL_FILES"
echo "== log run:  $LOG_OUTBOX"
for f in worker-smtp worker-log; do
    sed 's/\x1b\[[0-9;]*m//g' "$WORK/$f.log" >"$WORK/$f.plain.log"
    echo "== $f log: $(grep -c -E ' (WARN|ERROR) ' "$WORK/$f.plain.log" || true) WARN/ERROR lines"
done
