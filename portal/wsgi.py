import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What start-up loaded lives as long as the worker: frozen out of the collector's generations, a full collection
# walks only what requests allocate. Measured on the daily-check list at Gansu ×3: without it one request in
# about 25 paused 120 ms for a collection (tests/perf/test_routines_bench.py freezes the same way).
gc.freeze()
