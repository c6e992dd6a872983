#!/usr/bin/env bash
# The production configuration, started as docs/operations.md says (deploy/prod-local.sh:
# DEBUG=False, keys, collectstatic, gunicorn with 3 workers over TLS, PostgreSQL, every worker
# loop of the Procfile under honcho), then the smoke suite over real HTTP, the Chromium pass
# and the backup-restore test (tests/production). Needs PostgreSQL at 127.0.0.1:5432 and the
# virtual environment (.ci/run provides both).
set -euo pipefail
cd "$(dirname "$0")/.."

export PROD_DIR="${PROD_DIR:-/tmp/mpp-ci-production}"
export PROD_DATABASE_URL="${PROD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mpp_ci_production}"
export PROD_PORT="${PROD_PORT:-8443}"
export PROD_DEMO=1
BASE="https://127.0.0.1:$PROD_PORT"

command -v openssl >/dev/null || { apt-get update -qq; apt-get install -y -qq openssl >/dev/null; }
rm -rf "$PROD_DIR"
psql "${PROD_DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"${PROD_DATABASE_URL##*/}\""

started=$(date +%s)
deploy/prod-local.sh prepare
deploy/prod-local.sh start >"$PROD_DIR/processes.log" 2>&1 &
honcho=$!
stop() { kill "$honcho" 2>/dev/null || true; wait "$honcho" 2>/dev/null || true; }
trap stop EXIT

readyz() {  # prints /readyz; exit status 0 when it answers 200
  .venv/bin/python - "$BASE/readyz" "$PROD_DIR/tls.crt" <<'PY'
import ssl, sys, urllib.error, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
try:
    print(urllib.request.urlopen(sys.argv[1], context=context, timeout=10).read().decode())
except urllib.error.HTTPError as error:
    print(error.read().decode()); sys.exit(1)
except OSError as error:
    print(error); sys.exit(1)
PY
}

ready=""
for _ in $(seq 90); do
  if readyz >/dev/null; then ready=1; break; fi
  kill -0 "$honcho" 2>/dev/null || break
  sleep 1
done
if [ -z "$ready" ]; then
  echo "The production deploy did not become ready:"; tail -50 "$PROD_DIR/processes.log"
  readyz || true
  exit 1
fi

status=0
MPP_PRODUCTION_URL="$BASE" MPP_PRODUCTION_CA="$PROD_DIR/tls.crt" \
  MPP_PRODUCTION_ENV="$PROD_DIR/env" .venv/bin/python -m pytest tests/production -p no:randomly \
  || status=$?

# Every request was logged as one JSON line, and none answered 500.
if grep -q '"status": 5[0-9][0-9]' "$PROD_DIR/processes.log"; then
  echo "Server errors in the production log:"; grep '"status": 5' "$PROD_DIR/processes.log" | head
  status=1
fi
grep -q '"name": "mpp.requests"' "$PROD_DIR/processes.log" || { echo "no request log line"; status=1; }
echo "Production configuration: $(($(date +%s) - started)) s"
exit "$status"
