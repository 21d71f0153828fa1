"""Reading import files and guessing their mapping: encodings, XLSX, bad files, headings."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from charter.crm import importing
from charter.crm.importing import FileProblem

ROWS = "名称,简称,手机\n上海甲科技有限公司,甲,13800138000\n\n北京乙（集团）有限公司,乙,\n"


def inspect(data: bytes, name: str = "clients.csv"):
    return importing.inspect_file(io.BytesIO(data), name)


def rows(data: bytes, name: str = "clients.csv"):
    stream = io.BytesIO(data)
    return list(importing.iter_rows(stream, importing.inspect_file(stream, name)))


def xlsx(*lines) -> bytes:
    workbook = Workbook()
    for line in lines:
        workbook.active.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(encoding):
    info = inspect(ROWS.encode(encoding))
    assert info.headers == ["名称", "简称", "手机"]
    assert info.rows == 2  # the blank line is not a row
    assert rows(ROWS.encode(encoding)) == [
        (2, ["上海甲科技有限公司", "甲", "13800138000"]),
        (4, ["北京乙（集团）有限公司", "乙", ""]),
    ]


def test_semicolon_separated_csv():
    assert rows(b"name;short_name\nAcme;A\n")[0] == (2, ["Acme", "A"])


def test_xlsx_cells_become_text():
    data = xlsx(
        ["title", "amount", "expected_close"],
        ["Deal", 1200.0, datetime.datetime(2026, 3, 31)],
        [None, None, None],
        ["Other", 12.5, None],
    )
    assert rows(data, "deals.xlsx") == [
        (2, ["Deal", "1200", "2026-03-31"]),
        (4, ["Other", "12.5", ""]),
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("名称\n甲\n".encode("utf-16"), "a.csv", "binary data"),
        (b"name\n\xff\xfe\xfa\n", "a.csv", "neither UTF-8 nor GB18030"),
        (b"name,short_name\n", "a.csv", "no data rows"),
        (b"", "a.csv", "empty"),
        (b"name,name\nA,B\n", "a.csv", "appears twice"),
        (b"name,,short\nA,B,C\n", "a.csv", "Column 2 has no heading"),
        (b"name\nA\n", "a.xlsx", "not an Excel workbook"),
        (b"PK\x03\x04broken", "a.xlsx", "damaged"),
        (b"name\nA\n", "a.xls", ".xls"),
        (b"name\nA\n", "a.pdf", "CSV or XLSX"),
    ],
)
def test_bad_files_get_a_clear_message(data, name, message):
    with pytest.raises(FileProblem) as raised:
        inspect(data, name)
    assert message in raised.value.messages[0]


def test_xlsx_without_data_rows():
    with pytest.raises(FileProblem, match="no data rows"):
        inspect(xlsx(["名称", "行业"]), "a.xlsx")


def test_mapping_is_guessed_from_english_and_chinese_headings():
    headers = ["客户名称", "简称", "所属行业", "Website", "统一社会信用代码", "负责人", "备注"]
    assert importing.guess_mapping(importing.CLIENTS, headers) == {
        "name": "客户名称",
        "short_name": "简称",
        "industry": "所属行业",
        "website": "Website",
        "uscc": "统一社会信用代码",
        "owner": "负责人",
    }
    contacts = importing.guess_mapping(importing.CONTACTS, ["Client", "Name", "手机", "E-mail"])
    assert contacts == {"client": "Client", "name": "Name", "mobile": "手机", "email": "E-mail"}
    deals = importing.guess_mapping(importing.OPPORTUNITIES, ["客户", "商机名称", "金额", "阶段"])
    assert deals == {"client": "客户", "title": "商机名称", "amount": "金额", "stage": "阶段"}


def test_headers_key_ignores_order_and_spelling_details():
    assert importing.headers_key(["名称", "Short name"]) == importing.headers_key(
        ["short_name", "名称"]
    )
    assert importing.headers_key(["名称"]) != importing.headers_key(["名称", "行业"])


def test_a_mapping_must_name_required_fields_and_use_each_column_once():
    with pytest.raises(Exception) as raised:
        importing.check_mapping(importing.CLIENTS, ["a", "b"], {"short_name": "a", "region": "a"})
    messages = raised.value.messages
    assert any("mapped to more than one field" in message for message in messages)
    assert any("required" in message for message in messages)
    assert importing.check_mapping(importing.CLIENTS, ["a"], {"name": "a", "region": ""}) == {
        "name": "a"
    }


def test_normalised_names_ignore_width_case_spaces_and_bracket_style():
    same = ["北京乙（集团）有限公司", "北京乙(集团)有限公司", " 北京乙 【集团】 有限公司"]
    assert len({importing.normalise_name(name) for name in same}) == 1
    assert importing.normalise_name("ＡＣＭＥ Co., Ltd.") == importing.normalise_name("acme co ltd")


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("lifecycle", "Active client", "active"),
        ("size", "1000+", "1000+"),
        ("website", "www.example.cn", "https://www.example.cn"),
        ("uscc", "91350100m000100y43", "91350100M000100Y43"),
        ("tags", "制造, 华东；重点", frozenset({"制造", "华东", "重点"})),
    ],
)
def test_client_cells_are_cleaned(key, text, value):
    assert importing.CLIENTS.by_key[key].clean(text) == value


@pytest.mark.parametrize(
    ("spec", "key", "text", "value"),
    [
        (importing.CONTACTS, "mobile", "138 0013 8000", "+8613800138000"),
        (importing.CONTACTS, "decision_role", "decision maker", "decision_maker"),
        (importing.CONTACTS, "influence", "4", 4),
        (
            importing.OPPORTUNITIES,
            "amount",
            "¥1,200,000.50",
            Decimal("1200000.50"),
        ),
        (importing.OPPORTUNITIES, "expected_close", "2026年3月31日", datetime.date(2026, 3, 31)),
        (importing.OPPORTUNITIES, "probability", "60%", 60),
    ],
)
def test_contact_and_deal_cells_are_cleaned(spec, key, text, value):
    assert spec.by_key[key].clean(text) == value


def test_a_row_reports_every_bad_cell_with_its_column():
    columns = [(0, "name", "名称"), (1, "uscc", "信用代码"), (2, "lifecycle", "状态")]
    row = importing.clean_row(importing.CLIENTS, columns, 7, ["", "123", "nonsense"])
    assert [column for column, _message in row.errors] == ["名称", "信用代码", "状态"]
    assert "required" in row.errors[0][1]
    assert row.number == 7 and row.values == {}
