"""The change-request list filters the register page and the API share."""

from django.db.models import Q, QuerySet

from charter.changes.models import ChangeRequest


def search(rows: QuerySet[ChangeRequest], q: str = "") -> QuerySet[ChangeRequest]:
    """Change requests whose code, title or description holds ``q``."""
    if not q:
        return rows
    return rows.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q))
