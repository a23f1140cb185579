#!/usr/bin/env python3
"""Two `mamori serve` processes on one PostgreSQL ledger (issue 15).

- a person signs in on server A and goes on with the same session on B;
- wrong passwords sent in turn to A and B lock the account exactly at the
  profile's threshold (counted in the database, not per process), and the
  lockout holds on both;
- the same approval step approved on A and on B at the same moment: exactly
  one wins, the other gets 409 `conflict`;
- failed sign-ins from one address sent in turn to A and B are blocked
  once, on both (the rate limits' counts are the database's);
- one server stopped gracefully: the other serves on;
- `mamori audit verify` passes afterwards.

usage: two_servers_test.py MAMORI ROOT POSTGRES_URL   (scripts/run-postgres-tests.sh)
Only loopback: the servers listen on 127.0.0.1, the database on a Unix socket.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request

mamori, root, url = sys.argv[1], sys.argv[2], sys.argv[3]
db = url + "&schema=two_servers"
work = tempfile.mkdtemp(prefix="mamori-two-")
env = dict(os.environ, MAMORI_STATE_DIR=work)
web_root = os.path.join(work, "web")  # the API only: no screens needed
os.makedirs(web_root)
with open(os.path.join(web_root, "index.html"), "w") as f:
    f.write("<!doctype html><title>mamori</title>")
failures = []


def check(name, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + name + ("" if ok else f" ({detail})"))
    if not ok:
        failures.append(name)


def cli(*args, stdin=None):
    return subprocess.run([mamori, "--db", db, *args], cwd=root, env=env, input=stdin,
                          capture_output=True, text=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name):
        self.port = free_port()
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.process = subprocess.Popen(
            [mamori, "--db", db, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--web-root", web_root],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base() + "/health", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise SystemExit(f"server {name} did not start: see {self.log.name}")

    def base(self):
        return f"http://127.0.0.1:{self.port}/api/v1"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


class Client:
    """One browser: a session cookie and its CSRF token, on any server."""

    def __init__(self):
        self.cookie = None
        self.csrf = None

    def call(self, server, method, path, body=None):
        request = urllib.request.Request(server.base() + path, method=method)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        if self.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with urllib.request.urlopen(request, data, timeout=60) as reply:
                status, headers, text = reply.status, reply.headers, reply.read()
        except urllib.error.HTTPError as error:
            status, headers, text = error.code, error.headers, error.read()
        cookie = headers.get("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        payload = json.loads(text) if text else {}
        session = payload.get("session") if isinstance(payload, dict) else None
        if session and session.get("csrf_token"):
            self.csrf = session["csrf_token"]
        return status, payload


def temporary_password(person):
    result = cli("--json", "account", "create", person, "--as", "c1")
    return json.loads(result.stdout)["temporary_password"]


def sign_in_ready(server, person, password):
    """Signs in with the temporary password and sets a real one."""
    client = Client()
    status, _ = client.call(server, "POST", "/auth/sign-in", {"login": person, "password": password})
    assert status == 200, (person, status)
    new = "Kakunin-Shinsei-2026-Zeimu!" + str(len(person) * 7919)  # not the login, not common
    status, reply = client.call(server, "POST", "/auth/password",
                                {"current_password": password, "new_password": new})
    assert status == 204, (person, status, reply)
    return client, new


def lockout_threshold():
    for name in ("hannan.toml", "base.toml"):
        with open(os.path.join(root, "policies", name), "rb") as f:
            value = tomllib.load(f).get("passwords", {}).get("lockout_threshold")
        if value:
            return value
    raise SystemExit("no lockout_threshold in the profile")


try:
    check("init on PostgreSQL", cli("init", "-p", "policies/hannan.toml").returncode == 0)
    batch = cli("batch", stdin=open(os.path.join(root, "examples/demo-ledger.jsonl")).read())
    check("the demo batch", batch.returncode == 0, batch.stderr[-500:])
    m2_temp = temporary_password("m2")
    l2_temp = temporary_password("l2")
    s1_temp = temporary_password("s1")

    a, b = Server("a"), Server("b")

    # One session, two servers.
    m2, m2_password = sign_in_ready(a, "m2", m2_temp)
    status, reply = m2.call(b, "GET", "/auth/session")
    check("the session made on A is valid on B", status == 200 and
          reply["session"]["person"]["code"] == "m2", f"{status} {reply}")
    status, _ = m2.call(b, "GET", "/requests/3")
    check("and B serves that person's work", status == 200, status)

    # Lockout counted across both servers.
    threshold = lockout_threshold()
    _, s1_password = sign_in_ready(a, "s1", s1_temp)
    statuses = []
    for attempt in range(threshold + 2):
        server = a if attempt % 2 == 0 else b
        status, _ = Client().call(server, "POST", "/auth/sign-in",
                                  {"login": "s1", "password": "wrong-" + str(attempt)})
        statuses.append(status)
    # The threshold-th failure locks (and says so: 423); the ones after meet the lock.
    check(f"wrong passwords on A and B in turn lock at the threshold ({threshold})",
          statuses == [401] * (threshold - 1) + [423] * 3, statuses)
    events = [json.loads(line) for line in cli("audit", "export").stdout.splitlines()]
    bad = [e for e in events if e["action"] == "auth.sign_in_failed" and
           e["state"].get("reason") == "bad_password" and e["object_id"] == "s1"]
    check("the failures counted are the threshold's, from both servers", len(bad) == threshold,
          len(bad))
    for name, server in (("A", a), ("B", b)):
        status, _ = Client().call(server, "POST", "/auth/sign-in",
                                  {"login": "s1", "password": s1_password})
        check(f"the right password meets the lockout on {name}", status == 423, status)

    # The same step approved on both servers at once: one wins.
    on_a, on_b = m2, Client()
    status, _ = on_b.call(b, "POST", "/auth/sign-in", {"login": "m2", "password": m2_password})
    check("the approver signs in on B too", status == 200, status)
    results = {}
    barrier = threading.Barrier(2)

    def approve(name, client, server):
        barrier.wait()
        results[name] = client.call(server, "POST", "/requests/3/approve",
                                    {"comment": "同時承認 " + name})

    threads = [threading.Thread(target=approve, args=("A", on_a, a)),
               threading.Thread(target=approve, args=("B", on_b, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(results[name][0] for name in ("A", "B"))
    check("exactly one approval wins, the other is a conflict", codes == [200, 409], results)
    loser = [results[n][1] for n in ("A", "B") if results[n][0] == 409]
    check("the conflict says so", bool(loser) and loser[0].get("error", {}).get("code") == "conflict",
          loser)
    status, reply = on_a.call(a, "GET", "/requests/3")
    check("the request is approved once", status == 200 and reply.get("status") == "approved" and
          sum(1 for x in reply.get("actions", []) if x.get("person") == "m2") == 1,
          json.dumps(reply, ensure_ascii=False)[:400])

    # Spraying from one address, in turn to A and B: blocked once, on both
    # (the counts are the database's, 6.2(1)②); each 2nd failure after the
    # profile's delay threshold waits its delay.
    first_block = None
    for attempt in range(30):
        server = a if attempt % 2 == 0 else b
        status, _ = Client().call(server, "POST", "/auth/sign-in",
                                  {"login": f"nobody{attempt}", "password": "Spray-Guess-1"})
        if status == 429:
            first_block = "A" if server is a else "B"
            break
    check("spraying across both servers is blocked", first_block is not None)
    other = b if first_block == "A" else a
    status, _ = Client().call(other, "POST", "/auth/sign-in",
                              {"login": "nobody", "password": "Spray-Guess-1"})
    check("and the block holds on the other server too", status == 429, status)
    events = [json.loads(line) for line in cli("audit", "export").stdout.splitlines()]
    check("the block is one audit event", sum(e["action"] == "auth.address_throttled"
                                              for e in events) == 1)

    # A graceful stop of one server does not disturb the other.
    check("server A stops gracefully", a.stop() == 0)
    status, _ = on_b.call(b, "GET", "/health")
    check("server B serves on", status == 200, status)
    status, _ = on_b.call(b, "GET", "/requests/3")
    check("and its sessions too", status == 200, status)
    check("server B stops gracefully", b.stop() == 0)

    verify = cli("audit", "verify")
    check("audit verify passes afterwards", verify.returncode == 0, verify.stdout + verify.stderr)
finally:
    for name in ("a", "b"):
        server = locals().get(name)
        if isinstance(server, Server) and server.process.poll() is None:
            server.process.kill()

print("PASS" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
