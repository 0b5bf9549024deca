#!/usr/bin/env python3
"""The client of bench/thread-inbox.sh: the secure threads' inboxes under an open-loop load, and
messages posted as fast as the service takes them.

Standard library only. Commands:

    thread_inbox.py staff-sign-in URL EMAIL PASSWORD
        signs in on the staff pages; prints the session cookie ("name=value") and the session's
        CSRF token (read from the staff inbox page), on one line.
    thread_inbox.py patient-sign-in URL NAME PASSWORD
        signs in on the patient portal (/portal/sign-in); prints the session cookie.
    thread_inbox.py header
        prints the table's header line.
    thread_inbox.py load NAME URL COOKIE RATE SECONDS PATH [PATH...]
        GETs the paths in turn, request i due at t0 + i/RATE, on 8 keep-alive connections;
        prints one line: requests per second, p50, p99, p99.9 and the slowest, and the statuses.
        Latency is counted from the time a request was due, so a server that falls behind shows
        it. Every answer's body is read to its end.
    thread_inbox.py post NAME URL COOKIE CSRF COUNT CONNECTIONS IDS_FILE
        closed loop: CONNECTIONS keep-alive connections POST replies as fast as they are
        answered, COUNT in all, to POST /api/v1/threads/{id}/messages (the staff member's
        session cookie and X-CSRF-Token), going round the thread ids in IDS_FILE (one a line);
        prints messages per second (first request to last answer) and the latency of a post.
    thread_inbox.py pgbench-log NAME SECONDS FILE [FILE...]
        the same line from pgbench's per-transaction logs (--log, with --rate: the time field
        counts from when the transaction was due, as above); SECONDS "-" for a closed loop
        (requests per second from the first start to the last end).
"""

import http.client
import json
import math
import re
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit


def connect(url):
    u = urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def cookies_of(response):
    return [h.split(";")[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]


def form_sign_in(url, page, fields, cookie_part):
    """GETs the sign-in page, posts the form with its CSRF token; answers the session cookie."""
    c = connect(url)
    c.request("GET", page)
    r = c.getresponse()
    body = r.read().decode()
    jar = cookies_of(r)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    c.request("POST", page, body=urlencode({"csrf_token": csrf, **fields}), headers={
        "content-type": "application/x-www-form-urlencoded", "cookie": "; ".join(jar)})
    r = c.getresponse()
    r.read()
    if r.status != 303:
        raise SystemExit(f"signing in at {page} answered {r.status}")
    for cookie in cookies_of(r):
        if cookie_part in cookie.split("=")[0]:
            return cookie
    raise SystemExit(f"signing in at {page} set no session cookie")


def staff_sign_in(url, email, password):
    cookie = form_sign_in(url, "/staff/sign-in", {"email": email, "password": password}, "session")
    c = connect(url)
    c.request("GET", "/staff/messages", headers={"cookie": cookie})
    r = c.getresponse()
    page = r.read().decode()
    if r.status != 200:
        raise SystemExit(f"/staff/messages answered {r.status}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    print(cookie, csrf)


def patient_sign_in(url, name, password):
    print(form_sign_in(url, "/portal/sign-in", {"name": name, "password": password}, "patient"))


def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def header():
    print(f"{'load':<44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'p99.9 ms':>8} {'max ms':>7}  statuses")


def report(name, rate, lat, status):
    ok = sorted(lat)
    counts = {}
    for s in status:
        counts[s] = counts.get(s, 0) + 1
    st = " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))
    print(f"{name:<44} {rate:7.1f} {pct(ok, .5)*1e3:7.2f} {pct(ok, .99)*1e3:7.2f} "
          f"{pct(ok, .999)*1e3:8.2f} {ok[-1]*1e3:7.2f}  {st}", flush=True)


def load(name, url, cookie, rate, seconds, paths):
    rate = float(rate)
    n = int(rate * float(seconds))
    lat, status = [0.0] * n, [None] * n
    lock, nxt = threading.Lock(), [0]
    headers = {"cookie": cookie} if cookie != "-" else {}
    t0 = time.perf_counter() + 0.2

    def work():
        c = connect(url)
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
                c.request("GET", paths[i % len(paths)], headers=headers)
                r = c.getresponse()
                r.read()
                status[i] = str(r.status)
            except Exception as e:  # counted, and the connection is replaced
                status[i] = type(e).__name__
                c.close()
                c = connect(url)
            lat[i] = time.perf_counter() - due

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report(name, n / (time.perf_counter() - t0), lat, status)


def post(name, url, cookie, csrf, count, connections, ids_file):
    ids = [line.strip() for line in open(ids_file) if line.strip()]
    n = int(count)
    lat, status = [0.0] * n, [None] * n
    lock, nxt = threading.Lock(), [0]
    headers = {"cookie": cookie, "x-csrf-token": csrf, "content-type": "application/json"}
    body = json.dumps({"body": "Thank you, we received your readings. Keep the same dose "
                               "for now; we will look at them again at your next visit."})

    def work():
        c = connect(url)
        while True:
            with lock:
                i = nxt[0]
                if i >= n:
                    return
                nxt[0] += 1
            began = time.perf_counter()
            try:
                c.request("POST", f"/api/v1/threads/{ids[i % len(ids)]}/messages",
                          body=body, headers=headers)
                r = c.getresponse()
                r.read()
                status[i] = str(r.status)
            except Exception as e:  # counted, and the connection is replaced
                status[i] = type(e).__name__
                c.close()
                c = connect(url)
            lat[i] = time.perf_counter() - began

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(int(connections))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report(name, n / (time.perf_counter() - t0), lat, status)


def pgbench_log(name, seconds, files):
    # client_id transaction_no time script_no time_epoch time_us [schedule_lag]; "time" is the
    # latency in µs, time_epoch/time_us when the transaction ended.
    lat, status, first, last = [], [], math.inf, 0.0
    for f in files:
        for line in open(f):
            parts = line.split()
            if parts[2] == "skipped":
                status.append("skipped")
                continue
            latency = int(parts[2]) / 1e6
            ended = int(parts[4]) + int(parts[5]) / 1e6
            first, last = min(first, ended - latency), max(last, ended)
            lat.append(latency)
            status.append("ok")
    # SECONDS "-": from the first transaction's start to the last one's end (a closed loop).
    elapsed = last - first if seconds == "-" else float(seconds)
    report(name, len(lat) / elapsed, lat, status)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "staff-sign-in":
        staff_sign_in(*args)
    elif cmd == "patient-sign-in":
        patient_sign_in(*args)
    elif cmd == "header":
        header()
    elif cmd == "load":
        load(args[0], args[1], args[2], args[3], args[4], args[5:])
    elif cmd == "post":
        post(*args)
    elif cmd == "pgbench-log":
        pgbench_log(args[0], args[1], args[2:])
    else:
        raise SystemExit(f"unknown command {cmd}")
