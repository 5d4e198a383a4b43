"""Plain, neutral error pages that still carry the quick exit. They never echo the request."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def _page(request, status: int):
    return render(request, "error.html", {"status": status}, status=status)


def not_found(request, exception=None):
    return _page(request, 404)


def forbidden(request, exception=None):
    return _page(request, 403)


def bad_request(request, exception=None):
    return _page(request, 400)


def server_error(request):
    # No context processors that touch the database or the user: this must render even
    # when those are what failed.
    template = loader.get_template("error_500.html")
    return HttpResponseServerError(template.render({}))


def csrf_failure(request, reason=""):
    return render(request, "error.html", {"status": 403, "csrf": True}, status=403)
