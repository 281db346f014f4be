#!/bin/sh
# Container entrypoint (.ci/Dockerfile). The first argument picks the process:
#   web     migrate, load the jurisdiction tree (idempotent), collect static files, then gunicorn
#   worker  celery worker
#   beat    celery beat (run exactly one)
#   anything else is executed as given, e.g. `docker compose run --rm web python manage.py shell`.
set -eu
cd "$(dirname "$0")/.."

case "${1:-web}" in
    web)
        python manage.py migrate --noinput
        python manage.py load_jurisdictions
        python manage.py collectstatic --noinput --verbosity 0
        # Workers, threads and timeouts: portal/gunicorn.conf.py (GUNICORN_* variables, docs/operations.md).
        exec gunicorn --config portal/gunicorn.conf.py portal.wsgi:application
        ;;
    worker)
        exec celery -A portal worker --loglevel "${CELERY_LOG_LEVEL:-info}" \
            --concurrency "${CELERY_CONCURRENCY:-2}"
        ;;
    beat)
        exec celery -A portal beat --loglevel "${CELERY_LOG_LEVEL:-info}" \
            --schedule "${BEAT_SCHEDULE_FILE:-/var/lib/celery/beat-schedule}"
        ;;
    *)
        exec "$@"
        ;;
esac
