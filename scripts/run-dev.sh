#!/usr/bin/env bash
# Starts a Celery worker (with beat) in the background and the web server in the foreground:
# runserver speaks ASGI (daphne is the first installed app), so the pages and the
# conversations' websockets (/ws/) are served together, over the in-memory channel layer.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
mkdir -p .var/broker .var/broker-processed .var/broker-control

$PY -m celery -A peersupport worker --beat --loglevel=INFO --concurrency=1 \
  --schedule=.var/celerybeat-schedule >.var/celery.log 2>&1 &
celery_pid=$!
trap 'kill $celery_pid 2>/dev/null || true' EXIT INT TERM

cat <<INFO

  The service is starting at http://127.0.0.1:${PORT}/
  Sign in with one of the demo accounts above (password: demo-pass-2026).
  Emails (sign-up, password, notices, reminders) are sent by Celery: they are printed
  in .var/celery.log.
  Celery worker and beat log: .var/celery.log
  Press Ctrl-C to stop.

INFO
$PY manage.py runserver "127.0.0.1:${PORT}"
