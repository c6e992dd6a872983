#!/bin/sh
# Start the worker named as in the Procfile (systemd: mpp-worker@NAME.service). One table of
# names keeps the Procfile and the units in step: `deploy/worker.sh notifications`.
set -eu
cd "$(dirname "$0")/.."
PY="${MPP_PYTHON:-/srv/mpp/.venv/bin/python}"
command=$(sed -n "s/^$1: python manage.py //p" Procfile)
[ -n "$command" ] || { echo "unknown worker: $1 (see Procfile)" >&2; exit 2; }
# shellcheck disable=SC2086 - the Procfile's arguments are words
exec "$PY" manage.py $command
