"""Small request and routing helpers shared by the apps' views."""

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, path
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


def kind_paths(
    prefixes: Mapping[str, str], route: str, view: Callable[..., Any], name: str
) -> list[URLPattern]:
    """One pattern per kind of parent: ``<prefix>/<pk>/<route>`` named ``<kind>_<name>`` for
    each ``kind: prefix`` (``project: projects``); the view receives ``kind`` and ``pk``."""
    return [
        path(f"{prefix}/<int:pk>/{route}", view, {"kind": kind}, name=f"{kind}_{name}")
        for kind, prefix in prefixes.items()
    ]
