from django.shortcuts import render


def server_error(request):
    """A friendly page with the request id to quote to support, never a stack trace."""
    return render(request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500)
