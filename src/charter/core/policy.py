"""The one place that decides access.

Each app declares its rules as data in ``<app>/policies.py``::

    RULES = {"crm.client": {"view": STAFF | {CLIENT}, "change": MANAGERS}}

and registers them with :func:`register`. Views and API operations declare which rule they
need with :func:`requires` / :func:`api_requires` (or :func:`public`); a system check and the
permission-matrix test fail for any endpoint that declares nothing. Row-level scoping lives in
each app's ``querysets.py`` (``for_user``), which calls :func:`allows` first.
"""

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ADMIN = "admin"
MANAGER = "manager"
MEMBER = "member"
CLIENT = "client"
ANONYMOUS = "anonymous"

ADMINS = frozenset({ADMIN})
MANAGERS = frozenset({ADMIN, MANAGER})
STAFF = frozenset({ADMIN, MANAGER, MEMBER})
EVERYONE = frozenset({ADMIN, MANAGER, MEMBER, CLIENT})

PUBLIC = ("public", "")

_rules: dict[str, dict[str, frozenset[str]]] = {}

View = TypeVar("View", bound=Callable[..., Any])


def register(rules: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
    """Add an app's rules; a resource may be declared only once."""
    for resource, actions in rules.items():
        if resource in _rules:
            raise ValueError(f"policy for {resource!r} is declared twice")
        _rules[resource] = {action: frozenset(roles) for action, roles in actions.items()}


def rules() -> dict[str, dict[str, frozenset[str]]]:
    return {resource: dict(actions) for resource, actions in _rules.items()}


def role_of(user: Any) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    return str(user.role)


def allows(user: Any, resource: str, action: str) -> bool:
    """Whether the user's role may perform ``action`` on ``resource`` at all."""
    try:
        roles = _rules[resource][action]
    except KeyError:
        raise LookupError(f"no policy declared for {resource}:{action}") from None
    return role_of(user) in roles


def check(user: Any, resource: str, action: str) -> None:
    """Raise PermissionDenied unless :func:`allows`."""
    if not allows(user, resource, action):
        raise PermissionDenied


def _mark[View: Callable[..., Any]](view: View, resource: str, action: str) -> View:
    view.charter_policy = (resource, action)  # type: ignore[attr-defined]
    return view


def requires(resource: str, action: str) -> Callable[[View], View]:
    """Guard an HTML view: anonymous users go to the sign-in page, other roles get 403."""
    _rules_lookup_later(resource, action)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            check(request.user, resource, action)
            return view(request, *args, **kwargs)

        return _mark(cast(View, guarded), resource, action)

    return decorate


def api_requires(resource: str, action: str) -> Callable[[View], View]:
    """Guard an API operation; authentication itself is enforced by the API's auth classes."""
    _rules_lookup_later(resource, action)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            check(request.user, resource, action)
            return view(request, *args, **kwargs)

        return _mark(cast(View, guarded), resource, action)

    return decorate


def public[View: Callable[..., Any]](view: View) -> View:
    """Mark a view that anyone may open (sign-in, password reset, language switch)."""
    return _mark(view, *PUBLIC)


_pending: set[tuple[str, str]] = set()


def _rules_lookup_later(resource: str, action: str) -> None:
    # Views are imported before every app's policies are registered; checks.py verifies later.
    _pending.add((resource, action))


def undeclared_rules() -> list[str]:
    """Rules named by a view or API operation that no policies.py declares."""
    return sorted(
        f"{resource}:{action}"
        for resource, action in _pending
        if action not in _rules.get(resource, {})
    )
