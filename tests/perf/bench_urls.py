from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from tests.perf.reference import REFERENCE_PAGES, ReferenceListView

urlpatterns = [
    *portal_urlpatterns,
    *(path(f"_bench/{name}/", ReferenceListView.as_view(page=page), name=f"bench-{name}")
      for name, page in REFERENCE_PAGES.items()),
]
