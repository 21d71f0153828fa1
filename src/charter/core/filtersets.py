"""Filters the lists of every app share."""

from typing import Any

from django.db.models import Q, QuerySet


def search(queryset: QuerySet[Any], query: str, fields: tuple[str, ...]) -> QuerySet[Any]:
    """Rows where every word of ``query`` is in one of ``fields`` (case-insensitive)."""
    for word in query.split():
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset
