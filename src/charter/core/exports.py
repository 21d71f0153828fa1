"""Export of any list to CSV or XLSX: the list's view passes the filtered rows and its columns.

return export_response(clients, CLIENT_COLUMNS, fmt=request.GET["format"], name="clients")
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One exported column: its heading and how to read the value from a row."""

    heading: Any  # a (lazy) translated string
    value: Callable[[Any], Any]


def cell(value: Any) -> Any:
    """What a spreadsheet cell holds: numbers and dates as themselves, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, int | float) or hasattr(value, "quantize") or hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None) is not None:
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return str(value)


def table(rows: Iterable[Any], columns: Sequence[Column]) -> Iterable[list[Any]]:
    yield [str(column.heading) for column in columns]
    for row in rows:
        yield [cell(column.value(row)) for column in columns]


def export_response(
    rows: Iterable[Any], columns: Sequence[Column], *, fmt: str, name: str
) -> HttpResponse:
    """The rows as a download; CSV carries a BOM so Excel opens Chinese text correctly."""
    if fmt not in FORMATS:
        raise Http404
    response = HttpResponse(content_type=FORMATS[fmt])
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if fmt == "csv":
        response.write("\ufeff")
        writer = csv.writer(response)
        for line in table(rows, columns):
            writer.writerow(line)
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=name[:31])
    for line in table(rows, columns):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response.write(buffer.getvalue())
    return response
