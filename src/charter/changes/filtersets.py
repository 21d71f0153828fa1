"""The change-request list filters the register page and the API share."""

from django.db.models import QuerySet

from charter.changes.models import ChangeRequest
from charter.core.filtersets import search

SEARCH_FIELDS = ("code", "title", "description")


def filter_change_requests(
    rows: QuerySet[ChangeRequest], *, q: str = "", status: str = ""
) -> QuerySet[ChangeRequest]:
    """Change requests whose code, title or description hold every word of ``q``, in
    ``status`` when one is given."""
    rows = search(rows, q, SEARCH_FIELDS)
    return rows.filter(status=status) if status else rows
