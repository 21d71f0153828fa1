"""System checks: every URL declares a policy, and every named policy rule exists."""

import inspect
from collections.abc import Iterator
from functools import partial
from typing import Any

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.openapi.views import default_home
from ninja.operation import PathView

from charter.core import policy

# Namespaces whose views are guarded as a whole elsewhere (the admin site checks the role).
GUARDED_NAMESPACES = {"admin"}


def iter_patterns(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(route, namespaced name, pattern) for every URL pattern, depth first."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from iter_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name or ''}" if namespace else entry.name or ""
            yield prefix + str(entry.pattern), name, entry


def view_policies(pattern: URLPattern) -> list[tuple[str, Any]]:
    """(label, declared policy or None) for a pattern's view, or each API operation behind it."""
    callback = pattern.callback
    if isinstance(callback, partial) and callback.func is default_home:
        return []  # ninja's API root: it only ever answers 404
    path_view = api_path_view(callback)
    if path_view is not None:
        return [
            (
                f"{','.join(op.methods)} {op.view_func.__name__}",
                getattr(op.view_func, "charter_policy", None),
            )
            for op in path_view.operations
        ]
    view = getattr(callback, "view_class", None) or callback
    declared = getattr(callback, "charter_policy", None) or getattr(view, "charter_policy", None)
    return [(getattr(callback, "__name__", repr(callback)), declared)]


def api_path_view(callback: Any) -> PathView | None:
    """The ninja PathView behind an API URL (its view is a closure over it), if any."""
    if not inspect.isfunction(callback) or not callback.__closure__:
        return None
    owner = inspect.getclosurevars(callback).nonlocals.get("self")
    return owner if isinstance(owner, PathView) else None


@checks.register(checks.Tags.security)
def check_every_endpoint_has_a_policy(**kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for route, name, pattern in iter_patterns():
        if name.split(":")[0] in GUARDED_NAMESPACES:
            continue
        for label, declared in view_policies(pattern):
            if declared is None:
                errors.append(
                    checks.Error(
                        f"{route} ({label}) declares no access policy.",
                        hint="Decorate it with charter.core.policy.requires/api_requires/public.",
                        id="charter.E001",
                    )
                )
    for rule in policy.undeclared_rules():
        errors.append(
            checks.Error(
                f"Policy rule {rule} is used but no policies.py declares it.", id="charter.E002"
            )
        )
    return errors
