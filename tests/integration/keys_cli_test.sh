#!/usr/bin/env bash
# Secrets at rest through the mamori program (docs/auth.md "Secrets at rest"):
# init makes a 0600 secret key file; people enrol TOTP through the HTTP API of
# `mamori serve` (loopback only); the database file holds no TOTP secret;
# `mamori keys rotate` while the server runs keeps every sign-in working and
# is audited; a missing or group-readable key file stops the server with an
# error naming the file, and destroys nothing.
#   keys_cli_test.sh MAMORI_BINARY REPOSITORY_ROOT
set -u
mamori=$(realpath "$1")
root=$2
cd "$root" || exit 1
unset MAMORI_SECRET_KEY_FILE
. scripts/serve-fixture.sh
failures=0
check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, expected $2)"; failures=$((failures + 1));
  else echo "ok: $1"; fi
}
m() { "$mamori" --db "$db" "$@"; }

fixture_ledger keys
key_file="$db.secret-key"
[ -f "$key_file" ]
check "init creates the secret key file beside the audit key" 0 $?
[ "$(stat -c %a "$key_file")" = 600 ]
check "the key file is 0600" 0 $?

s1_password=$(fixture_password s1)
m2_password=$(fixture_password m2)
mkdir -p "$work/web" && echo '<!doctype html><title>mamori</title>' >"$work/web/index.html"
fixture_serve --web-root "$work/web"
check "serve starts" 0 $?

# The API client: sign in, change the temporary password, enrol TOTP, sign in
# with a code. TOTP (RFC 6238) computed here from the secret the API shows.
api() {  # api ACTION LOGIN PASSWORD [SECRET_FILE]
  python3 - "$port" "$@" <<'PY'
import base64, hashlib, hmac, json, struct, sys, time, urllib.error, urllib.request
port, action, login, password = sys.argv[1:5]
secret_file = sys.argv[5] if len(sys.argv) > 5 else None
csrf = None
cookie = None
def call(method, path, body=None):
    global cookie
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if csrf: request.add_header("X-CSRF-Token", csrf)
    if cookie: request.add_header("Cookie", cookie)
    try:
        reply = urllib.request.urlopen(request)
    except urllib.error.HTTPError as error:
        reply = error
    for header in reply.headers.get_all("Set-Cookie") or []:
        if header.startswith("mamori_session="): cookie = header.split(";")[0]
    return reply.status, json.loads(reply.read() or b"{}")
def code(secret, step_offset=0):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int(time.time()) // 30 + step_offset
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000)
def session():
    global csrf
    status, body = call("GET", "/auth/session")
    csrf = body["session"]["csrf_token"]
if action == "enrol":
    new_password = "Keys-Test-Mizu-47!"
    status, body = call("POST", "/auth/sign-in", {"login": login, "password": password})
    assert status == 200, (status, body)
    session()
    status, body = call("POST", "/auth/password", {"current_password": password, "new_password": new_password})
    assert status in (200, 204), (status, body)
    status, body = call("POST", "/auth/sign-in", {"login": login, "password": new_password})
    assert status == 200, (status, body)
    session()
    status, body = call("POST", "/auth/totp/setup")
    assert status == 200, (status, body)
    secret = body["secret"]
    status, body = call("POST", "/auth/totp/enable", {"code": code(secret)})
    assert status in (200, 204), (status, body)
    open(secret_file, "w").write(secret)
    print(new_password)
elif action == "sign-in":
    secret = open(secret_file).read().strip()
    status, body = call("POST", "/auth/sign-in", {"login": login, "password": password, "totp": code(secret, 1)})
    assert status == 200, (status, body)
elif action == "weak":
    status, body = call("POST", "/auth/sign-in", {"login": login, "password": password})
    session()
    status, body = call("POST", "/auth/password", {"current_password": password, "new_password": sys.argv[5]})
    print(json.dumps(body, ensure_ascii=False))
    assert status in (400, 422), (status, body)
PY
}

s1_new=$(api enrol s1 "$s1_password" "$work/s1.secret")
check "s1 enrols TOTP through the API" 0 $?
m2_new=$(api enrol m2 "$m2_password" "$work/m2.secret")
check "m2 enrols TOTP through the API" 0 $?

# A weak password is refused, naming the rule, without echoing it.
k1_password=$(fixture_password k1)
api weak k1 "$k1_password" "abcdefghijkl1" >"$work/weak.json" 2>&1
check "abcdefghijkl1 is refused" 0 $?
grep -q "max_repeat_run" "$work/weak.json" && ! grep -q "abcdefghijkl1" "$work/weak.json"
check "the refusal names max_repeat_run and not the password" 0 $?

# The database file alone: no secret, in any form.
for who in s1 m2; do
  secret=$(cat "$work/$who.secret")
  found=0
  for f in "$db" "$db-wal"; do
    [ -f "$f" ] || continue
    # base32 in either case, and the raw 20 bytes
    python3 - "$f" "$secret" <<'PY' || found=1
import base64, sys
data = open(sys.argv[1], "rb").read()
secret = sys.argv[2]
forms = [secret.encode(), secret.lower().encode(), base64.b32decode(secret + "=" * (-len(secret) % 8))]
sys.exit(1 if any(form in data for form in forms) else 0)
PY
  done
  check "no TOTP secret of $who in the database file" 0 "$found"
done
sqlite3 "$db" "SELECT totp_secret FROM accounts WHERE totp_secret IS NOT NULL" | grep -qv '^sealed:v1:'
check "every stored TOTP secret is sealed" 1 $?

# Rotation while the server runs.
old_id=$(m --json keys status | python3 -c 'import json,sys; print(json.load(sys.stdin)["primary"])')
m keys rotate --as s1 >/dev/null 2>"$work/err.txt"
check "only the chief officer or the deputy rotates" 3 $?
m --json keys rotate --as c1 >"$work/rotate.json"
check "keys rotate" 0 $?
new_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["new_key_id"])' "$work/rotate.json")
[ "$new_id" != "$old_id" ] && ! grep -q "$old_id" "$key_file" && grep -q "$new_id" "$key_file"
check "the key file holds the new key only" 0 $?
[ "$(stat -c %a "$key_file")" = 600 ]
check "the rotated key file is 0600" 0 $?
api sign-in s1 "$s1_new" "$work/s1.secret"
check "s1 signs in with TOTP after the rotation (server kept running)" 0 $?
api sign-in m2 "$m2_new" "$work/m2.secret"
check "m2 signs in with TOTP after the rotation" 0 $?
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""

sqlite3 "$db" "SELECT state FROM audit_events WHERE action = 'keys.rotate'" >"$work/rotate_event.txt"
grep -q "$new_id" "$work/rotate_event.txt"
check "keys.rotate is audited with the key ids" 0 $?
key_b64=$(awk '$1 == "key" {print $3}' "$key_file")
sqlite3 "$db" "SELECT state FROM audit_events" | grep -qF "$key_b64"
check "no audit event holds key material" 1 $?
m audit verify >/dev/null
check "the audit chain verifies" 0 $?

# A group-readable key file, then a missing one: the server does not start,
# the error names the file, nothing is destroyed.
before=$(sqlite3 "$db" "SELECT group_concat(totp_secret) FROM accounts")
chmod 640 "$key_file"
m serve --port 0 --web-root "$work/web" >"$work/serve.out" 2>"$work/serve.err"
[ $? -ne 0 ]
check "serve refuses a group-readable key file" 0 $?
grep -q "$key_file" "$work/serve.err" && grep -q "chmod 600" "$work/serve.err"
check "the error names the file and the fix" 0 $?
chmod 600 "$key_file"
mv "$key_file" "$work/saved-key"
m serve --port 0 --web-root "$work/web" >"$work/serve.out" 2>"$work/serve.err"
[ $? -ne 0 ]
check "serve refuses to start without the key file" 0 $?
grep -q "$key_file" "$work/serve.err" && grep -q "secret key file" "$work/serve.err"
check "the error names the missing file, in Japanese and English" 0 $?
[ ! -e "$key_file" ]
check "no key is made up in its place" 0 $?
mv "$work/saved-key" "$key_file"
[ "$(sqlite3 "$db" "SELECT group_concat(totp_secret) FROM accounts")" = "$before" ]
check "the sealed secrets are untouched" 0 $?
m --json keys status | grep -q "\"$new_id\":2"
check "keys status: both secrets under the new key" 0 $?

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
