#!/usr/bin/env bash
# Fuzz the API from its own schema (/api/schema/) with schemathesis, as an anonymous
# client, a mall manager, an analyst and a citizen (session cookies from the login form).
# Fails on any 5xx, or a status the schema does not list. Bounded: FUZZ_EXAMPLES per
# operation (default 25; one to two minutes per run on two cores) and FUZZ_SECONDS per run.
# One worker: hypothesis's lambda-source cache is not thread-safe (a runtime error at 2).
# Installs what it needs into .venv; uses its own SQLite database and port.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${FUZZ_PORT:-8765}"
EXAMPLES="${FUZZ_EXAMPLES:-25}"
SECONDS_PER_RUN="${FUZZ_SECONDS:-300}"
WORK="$(mktemp -d)"
BASE="http://127.0.0.1:$PORT"

.venv/bin/pip install --quiet 'schemathesis>=4,<5'

export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3" DEBUG=True MEDIA_ROOT="$WORK/media"
# The fuzzer exercises the API, not sign-in or the limits: those answer 401/403/429 and
# would hide everything behind them.
export MFA_REQUIRED_ROLES="" MFA_REQUIRED_FOR_ADMIN_STAFF=False CITIZENS_READS_NEED_CONTEXT=False
export BOOKING_ATTEMPTS_PER_HOUR=0 SURVEYS_SURVEY_POSTS_PER_HOUR=0 SURVEYS_COMPLAINT_POSTS_PER_HOUR=0
export INGEST_REQUESTS_PER_MINUTE=0 ONE_TIME_CODE_CHECKS_PER_HOUR=0 PASSWORD_RESETS_PER_HOUR=0
export REGISTRATION_SMS_PER_PHONE_PER_HOUR=0 REGISTRATION_SMS_PER_ADDRESS_PER_HOUR=0
export LOGIN_FAILURES_PER_ADDRESS=100000

$PY manage.py migrate --noinput -v0
$PY manage.py load_reference_data --skip-villages -v0
$PY manage.py load_demo_data -v0 >/dev/null
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_for_server() {
  $PY - "$BASE" <<'PYEOF'
import sys, time, urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen(sys.argv[1] + "/api/schema/", timeout=5)
        sys.exit(0)
    except OSError:
        time.sleep(0.3)
sys.exit("the server did not start")
PYEOF
}
wait_for_server

session_cookie() {  # log in through the form as $1; print "sessionid=…"
  $PY - "$BASE" "$1" <<'PYEOF'
import http.cookiejar, re, sys, urllib.parse, urllib.request
base, username = sys.argv[1], sys.argv[2]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(base + "/accounts/login/").read().decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
data = urllib.parse.urlencode(
    {"csrfmiddlewaretoken": token, "username": username, "password": "mpp-demo-2026"}
).encode()
request = urllib.request.Request(base + "/accounts/login/", data=data)
request.add_header("Referer", base + "/accounts/login/")
opener.open(request)
cookie = next((c.value for c in jar if c.name == "sessionid"), "")
if not cookie:
    sys.exit(f"could not log in as {username}")
print(f"sessionid={cookie}")
PYEOF
}

status=0
run() {  # $1: who; rest: extra schemathesis options
  local who="$1"; shift
  echo "--> schemathesis as $who"
  timeout "$SECONDS_PER_RUN" .venv/bin/schemathesis run "$BASE/api/schema/" \
    --checks not_a_server_error,status_code_conformance --phases examples,fuzzing \
    --max-examples "$EXAMPLES" --workers 1 --request-timeout 20 --no-color "$@" || {
    rc=$?
    if [ "$rc" -eq 124 ]; then echo "    (time bound reached for $who: no 5xx so far)"; else status=1; fi
  }
}
run anonymous
run "mall manager" -H "Cookie: $(session_cookie manajer.sampit)"
run analyst -H "Cookie: $(session_cookie analis)"
run citizen -H "Cookie: $(session_cookie warga)"
if grep -q "Internal Server Error" "$WORK/server.log"; then
  grep -A3 "Internal Server Error" "$WORK/server.log" | head -60
  status=1
fi
exit $status
