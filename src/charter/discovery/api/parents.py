"""Discovery operations hang under a project or a deal. ``parent_operation`` registers one
handler ``handler(request, …, kind, pk, …)`` as two operations, ``/projects/{project_id}<route>``
and ``/opportunities/{opportunity_id}<route>``, so each is written once."""

import inspect
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.discovery.views.parents import PREFIXES

PARENT_NAMES = {"project": "project", "opportunity": "deal"}

Handler = Callable[..., Any]


def parent_operation(
    router: Router,
    method: str,
    route: str,
    *,
    summary: str,
    rule: tuple[str, str],
    paginated: bool = False,
    **options: Any,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` for both parents. ``summary`` may name the parent as ``{parent}``;
    ``rule`` is the policy (resource, action); ``paginated`` adds limit/offset paging."""

    def register(handler: Handler) -> Handler:
        for kind, prefix in PREFIXES.items():
            operation = _bound(handler, kind)
            if paginated:
                operation = paginate(LimitOffsetPagination)(operation)
            operation = policy.api_requires(*rule)(operation)
            router.api_operation(
                [method],
                f"/{prefix}/{{{kind}_id}}{route}",
                summary=summary.format(parent=PARENT_NAMES[kind]),
                **options,
            )(operation)
        return handler

    return register


def _bound(handler: Handler, kind: str) -> Handler:
    """``handler`` with ``kind`` fixed and ``pk`` taken from the path's ``{kind}_id``."""
    signature = inspect.signature(handler, eval_str=True)
    request, *rest = (p for p in signature.parameters.values() if p.name not in ("kind", "pk"))
    parent_id = inspect.Parameter(
        f"{kind}_id", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int
    )

    def operation(request: HttpRequest, **kwargs: Any) -> Any:
        return handler(request, kind=kind, pk=kwargs.pop(f"{kind}_id"), **kwargs)

    operation.__signature__ = signature.replace(parameters=[request, parent_id, *rest])  # type: ignore[attr-defined]
    operation.__name__ = operation.__qualname__ = f"{kind}_{handler.__name__}"
    operation.__module__ = handler.__module__
    operation.__doc__ = handler.__doc__
    return operation
