"""The requirement list's filters and sort orders, shared by the HTML list and the API."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.discovery.querysets import RequirementQuerySet

SORTS = {
    "code": ("number", _("Code")),
    "priority": ("priority_rank", _("Priority")),
    "-value": ("-value", _("Value (high first)")),
    "effort": ("effort", _("Effort (low first)")),
    "status": ("status", _("Status")),
    "-updated": ("-updated_at", _("Recently updated")),
}


def filter_requirements(
    rows: RequirementQuerySet,
    *,
    q: str = "",
    type: str = "",
    priority: str = "",
    status: str = "",
    latent: bool | None = None,
    owner: Any = None,
    sort: str = "code",
) -> RequirementQuerySet:
    """Search code, title and description; narrow by the other fields; sort (see SORTS)."""
    rows = rows.for_list()
    if query := (q or "").strip():
        rows = rows.filter(
            Q(code__icontains=query) | Q(title__icontains=query) | Q(description__icontains=query)
        )
    for name, value in {"type": type, "priority": priority, "status": status}.items():
        if value:
            rows = rows.filter(**{name: value})
    if latent is not None:
        rows = rows.filter(latent_need=latent)
    if owner:
        rows = rows.filter(owner=owner)
    order = SORTS.get(sort or "code", SORTS["code"])[0]
    return rows.order_by(order, "number", "pk")
