from django.http import HttpResponseServerError
from django.template.loader import render_to_string


def server_error(request):
    """A friendly page with the request id to quote to support, never a stack trace.

    Rendered without context processors: the failure may be the database they would query.
    """
    body = render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(body)
