import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import Http404
from openpyxl import load_workbook

from charter.core.exports import Column, export_response

ROWS = [
    {
        "name": "上海云栖科技有限公司",
        "amount": Decimal("120000.50"),
        "day": datetime.date(2026, 12, 1),
    },
    {"name": "Northwind", "amount": Decimal("0"), "day": None},
]
COLUMNS = [
    Column("Name", lambda row: row["name"]),
    Column("Amount", lambda row: row["amount"]),
    Column("Day", lambda row: row["day"]),
]


def test_csv_has_a_bom_and_chinese_text():
    response = export_response(ROWS, COLUMNS, fmt="csv", name="clients")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert lines == [
        ["Name", "Amount", "Day"],
        ["上海云栖科技有限公司", "120000.50", "2026-12-01"],
        ["Northwind", "0", ""],
    ]
    assert "clients-" in response["Content-Disposition"]


def test_xlsx_keeps_numbers_and_dates():
    response = export_response(ROWS, COLUMNS, fmt="xlsx", name="clients")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0] == ("Name", "Amount", "Day")
    assert values[1][0] == "上海云栖科技有限公司"
    assert float(values[1][1]) == 120000.5
    assert values[1][2].date() == datetime.date(2026, 12, 1)


def test_unknown_format_is_404():
    with pytest.raises(Http404):
        export_response(ROWS, COLUMNS, fmt="pdf", name="clients")
