"""The portal's own settings plus the throughput benchmark's reference pages (``tests.perf.bench_urls``).

Only the benchmark's gunicorn loads these; the product's URLs never include the reference views.
"""

from pathlib import Path

from portal.settings import *  # noqa: F403
from portal.settings import TEMPLATES

ROOT_URLCONF = "tests.perf.bench_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
