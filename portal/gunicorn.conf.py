"""gunicorn settings for the container (``.ci/entrypoint.sh``) and ``make run`` alike.

Threaded workers with a fixed pool: each thread keeps at most one persistent PostgreSQL connection
(``CONN_MAX_AGE``), so one web process holds at most ``GUNICORN_WORKERS × GUNICORN_THREADS``
connections however many clients arrive — the rest queue in gunicorn's backlog instead of opening
new connections. Sizing against ``max_connections``: docs/operations.md.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
# Restart a worker now and then so a slow leak cannot grow without bound; jitter keeps them apart.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
