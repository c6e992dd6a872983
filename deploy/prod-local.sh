#!/usr/bin/env bash
# Production mode on this machine against PostgreSQL: DEBUG=False, real keys, collectstatic,
# gunicorn with several workers behind TLS, and every worker loop (Procfile, run by honcho).
#
#   deploy/prod-local.sh prepare   env file (keys made once, kept), database, migrate,
#                                  collectstatic, reference data, check --deploy
#   deploy/prod-local.sh start     honcho start (foreground; Ctrl-C stops every process)
#
# Settings (environment): PROD_DIR (default var/prod: env file, TLS certificate, static files,
# media, mail), PROD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mpp_prod),
# PROD_PORT (8443), PROD_DEMO=1 (also load the demo malls, services, users and citizens).
set -euo pipefail
cd "$(dirname "$0")/.."
PROD_DIR="$(mkdir -p "${PROD_DIR:-var/prod}" && cd "${PROD_DIR:-var/prod}" && pwd)"
ENV_FILE="$PROD_DIR/env"
PY="${PYTHON:-.venv/bin/python}"
export PATH="$(dirname "$PY"):$PATH"

key() { "$PY" -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())"; }

write_env() {
  # Keys are made once and kept: a new CITIZEN_DATA_KEY or ACCESS_LOG_KEY would leave the
  # stored data unreadable and the access log unverifiable. Back this file up apart from dumps.
  local port="${PROD_PORT:-8443}"
  umask 077
  cat >"$ENV_FILE" <<ENV
DEBUG=False
SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
CITIZEN_DATA_KEY=$(key)
ACCESS_LOG_KEY=$(key)
FACE_TEMPLATE_KEY=$(key)
NIK_HASH_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(32))")
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$port,https://localhost:$port
DATABASE_URL=${PROD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mpp_prod}
DB_CONN_MAX_AGE=60
STATIC_ROOT=$PROD_DIR/static
MEDIA_ROOT=$PROD_DIR/media
PORT=$port
WEB_CONCURRENCY=3
GUNICORN_CMD_ARGS="--certfile=$PROD_DIR/tls.crt --keyfile=$PROD_DIR/tls.key"
# No SMS gateway on a local machine: messages are logged (masked), on purpose.
MESSAGING_BACKEND=mpp.core.messaging.ConsoleBackend
MESSAGING_ALLOW_CONSOLE=True
EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH=$PROD_DIR/mail
ENV
}

prepare() {
  [ -f "$ENV_FILE" ] || write_env
  # The OpenID Connect signing key (issue 18), made once; an older env file gains it.
  if [ ! -f "$PROD_DIR/oidc-key.pem" ]; then
    (umask 077; openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
      -out "$PROD_DIR/oidc-key.pem" 2>/dev/null)
  fi
  grep -q '^OIDC_RSA_PRIVATE_KEY_FILES=' "$ENV_FILE" \
    || echo "OIDC_RSA_PRIVATE_KEY_FILES=$PROD_DIR/oidc-key.pem" >>"$ENV_FILE"
  if [ ! -f "$PROD_DIR/tls.crt" ]; then  # self-signed, for this machine only
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$PROD_DIR/tls.key" -out "$PROD_DIR/tls.crt" 2>/dev/null
  fi
  set -a; . "$ENV_FILE"; set +a
  mkdir -p "$MEDIA_ROOT" "$EMAIL_FILE_PATH"
  local db="${DATABASE_URL##*/}" server="${DATABASE_URL%/*}"
  psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || psql "$server/postgres" -qc "CREATE DATABASE \"$db\""
  "$PY" manage.py migrate --noinput -v 0
  "$PY" manage.py collectstatic --noinput -v 0
  "$PY" manage.py load_reference_data -v 0
  if [ "${PROD_DEMO:-0}" = 1 ]; then
    "$PY" manage.py load_demo_data -v 0
    "$PY" manage.py shell -c \
      "from mpp.citizens.demo import citizens_demo_generate; citizens_demo_generate(seed=2026)"
  fi
  "$PY" manage.py check --deploy --fail-level WARNING
  echo "Prepared: $ENV_FILE; start with: $0 start (https://127.0.0.1:$PORT/)"
}

case "${1:-}" in
  prepare) prepare ;;
  start) exec "$(dirname "$PY")/honcho" -e "$ENV_FILE" -f Procfile start ;;
  env) echo "$ENV_FILE" ;;
  *) echo "usage: $0 prepare|start|env" >&2; exit 2 ;;
esac
