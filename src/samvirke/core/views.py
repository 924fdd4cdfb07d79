"""Shared view helpers: turn domain errors into responses."""

from django.http import Http404
from django.shortcuts import render

from samvirke.core.errors import NotFound, PermissionDenied


class DomainErrorMiddleware:
    """Renders NotFound as the ordinary 404 page and PermissionDenied as 403, for every HTML view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"message": exception.message}, status=403)
        return None
