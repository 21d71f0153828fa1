"""Small request helpers shared by the apps' views."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_or(request: HttpRequest, default: str) -> str:
    """``next`` from the form or query when it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, True):
        return target
    return default


def site_url(request: HttpRequest) -> str:
    """This site's address as ``request`` reached it (no trailing slash), for links in
    messages sent from a page or an API call."""
    return request.build_absolute_uri("/").rstrip("/")
