from django.db import connection, transaction


def next_serial(prefix: str, year: int) -> int:
    """The next serial for ``(prefix, year)``, gap-free and unique under concurrency.

    Must run inside the transaction that uses the number: the counter row stays locked until it
    commits, and a rollback returns the number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_serial must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO kit_documentcounter (prefix, year, last) VALUES (%s, %s, 1)
            ON CONFLICT (prefix, year) DO UPDATE SET last = kit_documentcounter.last + 1
            RETURNING last
            """,
            [prefix, year],
        )
        return cursor.fetchone()[0]
