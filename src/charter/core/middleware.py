from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from charter.core.audit import request_ip


class AuditContextMiddleware:
    """Makes the client's IP address available to services writing audit events.

    Behind a reverse proxy set CHARTER_BEHIND_PROXY so REMOTE_ADDR is taken from the proxy's
    X-Forwarded-For (first address), which only a trusted proxy may set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
