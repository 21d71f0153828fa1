"""The project list's filters, shared by the HTML list and the API."""

from typing import Any

from django.db.models import Q

from charter.planning.querysets import ProjectQuerySet


def filter_projects(
    projects: ProjectQuerySet,
    *,
    q: str = "",
    status: str = "",
    manager: Any = None,
    client: Any = None,
) -> ProjectQuerySet:
    """Search by code, name or client; narrow by status, manager and client (objects or ids)."""
    if query := (q or "").strip():
        projects = projects.filter(
            Q(code__icontains=query)
            | Q(name__icontains=query)
            | Q(client__name__icontains=query)
            | Q(client__short_name__icontains=query)
        )
    if status:
        projects = projects.filter(status=status)
    if manager:
        projects = projects.filter(manager=manager)
    if client:
        projects = projects.filter(client=client)
    return projects
