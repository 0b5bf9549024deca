#!/usr/bin/env python3
"""The client of bench/invitation-list.sh: the staff invitation list under an open-loop load.

Standard library only. Commands:

    invitation_list.py setup URL TOKEN
        adds three providers and two programs to the token's practice (the list's filters and
        the seeded invitations use them).
    invitation_list.py sign-in URL EMAIL PASSWORD
        signs in on the staff pages and prints the session cookie ("name=value").
    invitation_list.py header
        prints the table's header line.
    invitation_list.py load NAME URL COOKIE RATE SECONDS PATH [PATH...]
        GETs the paths in turn (one path is one fixed page; several rotate, as different searches
        would), request i due at t0 + i/RATE, on 8 keep-alive connections; prints one line:
        requests per second, p50, p99, p99.9 and the slowest, and the statuses. Latency is counted
        from the time a request was due, so a server that falls behind shows it.
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
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def setup(url, token):
    c = connect(url)
    headers = {"authorization": "Bearer " + token, "content-type": "application/json"}
    bodies = [("/api/v1/providers", {"display_name": name})
              for name in ("Dr. Rivera", "Dr. Okafor", "Dr. Lindqvist")]
    bodies += [("/api/v1/programs", {"name": name, "signup_code": code, "policy": "notify",
                                     "messaging_allowed": True})
               for name, code in (("Heart health", "Heart2026"), ("Diabetes care", "Sugar2026"))]
    for path, body in bodies:
        c.request("POST", path, body=json.dumps(body), headers=headers)
        r = c.getresponse()
        data = r.read()
        if r.status != 201:
            raise SystemExit(f"POST {path} answered {r.status}: {data[:200]!r}")


def sign_in(url, email, password):
    c = connect(url)
    c.request("GET", "/staff/sign-in")
    r = c.getresponse()
    page = r.read().decode()
    cookies = [h.split(";")[0] for k, h in r.getheaders() if k.lower() == "set-cookie"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urlencode({"csrf_token": csrf, "email": email, "password": password})
    c.request("POST", "/staff/sign-in", body=body, headers={
        "content-type": "application/x-www-form-urlencoded", "cookie": "; ".join(cookies)})
    r = c.getresponse()
    r.read()
    if r.status != 303:
        raise SystemExit(f"signing in answered {r.status}")
    for k, h in r.getheaders():
        if k.lower() == "set-cookie" and "session" in h.split("=")[0]:
            print(h.split(";")[0])
            return
    raise SystemExit("no session cookie")


def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def header():
    print(f"{'load':<40} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'p99.9 ms':>8} {'max ms':>7}  statuses")


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
    elapsed = time.perf_counter() - t0
    ok = sorted(lat)
    counts = {}
    for s in status:
        counts[s] = counts.get(s, 0) + 1
    st = " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))
    print(f"{name:<40} {n / elapsed:7.1f} {pct(ok, .5)*1e3:7.2f} {pct(ok, .99)*1e3:7.2f} "
          f"{pct(ok, .999)*1e3:8.2f} {ok[-1]*1e3:7.2f}  {st}", flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif cmd == "sign-in":
        sign_in(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "header":
        header()
    elif cmd == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:])
    else:
        raise SystemExit(f"unknown command {cmd}")
