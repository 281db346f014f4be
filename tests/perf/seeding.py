"""Top a benchmark database up to a row count with the project's COPY-based generators."""

import io
import time

from django.core.management import call_command


def top_up(model, target: int, command: str, amount_option: str, **options) -> tuple[int, float]:
    """Run ``command`` for the rows ``model`` lacks to reach ``target``; returns (rows added, seconds)."""
    missing = target - model.objects.count()
    if missing <= 0:
        return 0, 0.0
    out = io.StringIO()
    started = time.perf_counter()
    call_command(command, **{amount_option: missing}, **options, stdout=out)
    seconds = time.perf_counter() - started
    print("\n" + out.getvalue().strip())
    return missing, seconds
