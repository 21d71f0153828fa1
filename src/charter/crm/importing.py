"""Reading import files and cleaning their rows; no database access.

:func:`inspect_file` checks a CSV (UTF-8 with or without BOM, or GB18030) or XLSX file and reads
its header row; :func:`iter_rows` then streams the data rows as text, numbered as in the file
(the header is row 1). :data:`SPECS` says which fields each kind of import fills, how a
heading is recognised in English or Chinese, and how a cell is cleaned — with the model
fields' own validators, so a row is accepted exactly when the edit form would accept it.
"""

import codecs
import contextlib
import csv
import datetime
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.crm.choices import Channel, CompanySize, Currency, DecisionRole, Lifecycle
from charter.crm.models import Client, Contact, Opportunity
from charter.crm.validators import normalise_phone

READ_CHUNK = 1 << 20
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
TAG_SEPARATORS = re.compile(r"[,;，；、|]")
DEFAULT_SYSTEM = "import"


class FileProblem(ValidationError):
    """The file as a whole cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class FileInfo:
    file_format: str  # "csv" or "xlsx"
    encoding: str  # for CSV
    headers: list[str]
    rows: int  # data rows, blank rows not counted


# ---- reading ------------------------------------------------------------------------------


def file_format(name: str, head: bytes) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in {"csv", "txt"}:
        return "csv"
    if suffix == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise FileProblem(_("This file is named .xlsx but is not an Excel workbook."))
        return "xlsx"
    if suffix == "xls":
        raise FileProblem(
            _("Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV first.")
        )
    raise FileProblem(_("Choose a CSV or XLSX file."))


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes so, else GB18030, else a problem."""
    for encoding in CSV_ENCODINGS:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(READ_CHUNK):
                if b"\x00" in chunk:
                    raise FileProblem(
                        _(
                            "This is not a text CSV file (it contains binary data). In Excel, "
                            "choose Save As → “CSV UTF-8”."
                        )
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileProblem(
        _(
            "The file's text encoding is neither UTF-8 nor GB18030. Save it as “CSV UTF-8” "
            "and upload it again."
        )
    )


def _csv_reader(stream: IO[bytes], encoding: str) -> Iterator[list[str]]:
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first = text.readline()
        if not first:
            return
        delimiter = max(",;\t", key=first.count) if first.strip() else ","
        yield from csv.reader(_chain([first], text), delimiter=delimiter)
    except csv.Error as error:
        raise FileProblem(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None
    finally:
        # Hand the stream back open (the caller closes it); it may be closed already when an
        # unfinished reader is collected late.
        with contextlib.suppress(ValueError):
            text.detach()


def _chain(first: list[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person would type (dates ISO, 3.0 as 3)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip()


def _xlsx_reader(stream: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileProblem(
            _("This Excel file is damaged or not an .xlsx workbook (%(error)s).")
            % {"error": error.__class__.__name__}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in values]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(
            _("This Excel file is damaged (%(error)s).") % {"error": error.__class__.__name__}
        ) from None
    finally:
        workbook.close()


def _raw_rows(stream: IO[bytes], file_format: str, encoding: str) -> Iterator[list[str]]:
    if file_format == "xlsx":
        return _xlsx_reader(stream)
    return _csv_reader(stream, encoding)


def _headers(cells: list[str]) -> list[str]:
    headers = [cell.strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileProblem(_("The first row must hold the column headings; it is empty."))
    for position, heading in enumerate(headers, start=1):
        if not heading:
            raise FileProblem(
                _("Column %(number)d has no heading in the first row.") % {"number": position}
            )
    seen: set[str] = set()
    for heading in headers:
        if heading in seen:
            raise FileProblem(
                _("The heading “%(heading)s” appears twice; rename one of the columns.")
                % {"heading": heading}
            )
        seen.add(heading)
    return headers


def inspect_file(stream: IO[bytes], name: str) -> FileInfo:
    """Check the file and read its headings; :class:`FileProblem` if it cannot be imported."""
    stream.seek(0)
    fmt = file_format(name, stream.read(4))
    encoding = detect_encoding(stream) if fmt == "csv" else ""
    rows = _raw_rows(stream, fmt, encoding)
    first = next(rows, None)
    if first is None:
        raise FileProblem(_("The file is empty."))
    headers = _headers(first)
    count = sum(1 for cells in rows if any(cell.strip() for cell in cells))
    if count == 0:
        raise FileProblem(_("The file has column headings but no data rows."))
    return FileInfo(file_format=fmt, encoding=encoding, headers=headers, rows=count)


def iter_rows(stream: IO[bytes], info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of every non-blank data row; row 1 is the header."""
    rows = _raw_rows(stream, info.file_format, info.encoding)
    next(rows, None)
    width = len(info.headers)
    for number, cells in enumerate(rows, start=2):
        if any(cell.strip() for cell in cells):
            yield number, [cell.strip() for cell in cells[:width]] + [""] * (width - len(cells))


# ---- normalising --------------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_NAME_NOISE = re.compile(r"[\s.,·・'\"`‘’“”]+")


def normalise_name(name: str) -> str:
    """How two spellings of one organisation compare equal: full-width to half-width, case,
    spaces and punctuation ignored, full-width and square brackets read as ()."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name).translate(_BRACKETS).casefold())


def normalise_heading(heading: str) -> str:
    return re.sub(r"[\s_\-:/()*]+", "", unicodedata.normalize("NFKC", heading).casefold())


def headers_key(headers: Iterable[str]) -> str:
    """The same set of headings, in any order, gives the same key."""
    joined = "\n".join(sorted({normalise_heading(heading) for heading in headers}))
    return hashlib.sha256(joined.encode()).hexdigest()


# ---- cleaning cells -----------------------------------------------------------------------

Cleaner = Callable[[str], Any]


def model_cleaner(model: type[models.Model], name: str, prepare: Cleaner = str) -> Cleaner:
    """Clean with the model field's own checks (length, choices, validators)."""
    model_field = model._meta.get_field(name)

    def clean(text: str) -> Any:
        return model_field.clean(prepare(text), None)  # type: ignore[union-attr]

    return clean


def choice_lookup(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Each choice by its value and by its label in every language, case-insensitive."""
    lookup: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices:
                lookup[str(label).casefold()] = value
    for value, _label in choices:
        lookup[str(value).casefold()] = value
    return lookup


def choice_cleaner(model: type[models.Model], name: str, choices: Any) -> Cleaner:
    """Accept a choice's stored value or its label in any language (built on first use)."""
    lookup: dict[str, str] = {}

    def prepare(text: str) -> str:
        if not lookup:
            lookup.update(choice_lookup(choices))
        return lookup.get(text.casefold(), text)

    return model_cleaner(model, name, prepare)


def website(text: str) -> str:
    return text if "://" in text else f"https://{text}"


def uscc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").upper()


def phone(text: str) -> str:
    return normalise_phone(unicodedata.normalize("NFKC", text))


def amount(text: str) -> str:
    cleaned = re.sub(r"[\s,¥$€£]", "", unicodedata.normalize("NFKC", text))
    try:
        Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text}) from None
    return cleaned


def whole_number(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("%").strip()
    if not re.fullmatch(r"\d+", cleaned):
        raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": text})
    return cleaned


DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")


def date(text: str) -> datetime.date:
    match = DATE_PATTERN.fullmatch(unicodedata.normalize("NFKC", text))
    try:
        if match is None:
            raise ValueError
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date; write it like 2026-03-31.") % {"value": text}
        ) from None


def tags(text: str) -> frozenset[str]:
    names = {name.strip()[:40] for name in TAG_SEPARATORS.split(text)}
    return frozenset(name for name in names if name)


def lookup_key(text: str) -> str:
    """A reference to another record (owner, client, stage), resolved by the service."""
    return text.strip()


# ---- what each kind of import fills -------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field an import column can fill."""

    key: str
    label: Promise
    aliases: tuple[str, ...] = ()
    clean: Cleaner = lookup_key
    required: bool = False


@dataclass(frozen=True)
class Spec:
    kind: str
    targets: tuple[Target, ...]
    by_key: dict[str, Target] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_key.update({target.key: target for target in self.targets})


def _external(kind_label: str) -> tuple[Target, Target]:
    return (
        Target(
            "external_id",
            gettext_lazy("external id"),
            ("id", "externalid", "外部id", "外部编号", f"{kind_label}id", f"{kind_label}编号"),
        ),
        Target("external_system", gettext_lazy("external system"), ("system", "系统", "来源")),
    )


def _text(model: type[models.Model], name: str, *aliases: str, required: bool = False) -> Target:
    label = model._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    return Target(name, label, aliases, model_cleaner(model, name), required)


OWNER = Target("owner", gettext_lazy("owner"), ("负责人", "销售", "所有者", "owneremail"))
CLIENT_REF = Target(
    "client",
    gettext_lazy("client"),
    ("客户", "客户名称", "公司", "company", "account"),
    required=True,
)

CLIENTS = Spec(
    "clients",
    (
        _text(
            Client, "name", "名称", "客户名称", "公司名称", "clientname", "company", required=True
        ),
        _text(Client, "short_name", "简称", "客户简称", "shortname"),
        _text(Client, "industry", "行业", "所属行业"),
        Target(
            "size",
            gettext_lazy("size"),
            ("规模", "公司规模", "人数", "employees"),
            choice_cleaner(Client, "size", CompanySize.choices),
        ),
        _text(Client, "region", "地区", "区域", "省份", "城市", "province", "city"),
        _text(Client, "address", "地址", "详细地址"),
        Target(
            "website",
            gettext_lazy("website"),
            ("网站", "网址", "官网", "url", "web"),
            model_cleaner(Client, "website", website),
        ),
        Target(
            "uscc",
            gettext_lazy("unified social credit code"),
            ("统一社会信用代码", "信用代码", "社会信用代码", "creditcode"),
            model_cleaner(Client, "uscc", uscc),
        ),
        Target(
            "lifecycle",
            gettext_lazy("lifecycle"),
            ("生命周期", "客户状态", "状态", "status"),
            choice_cleaner(Client, "lifecycle", Lifecycle.choices),
        ),
        Target("tags", gettext_lazy("tags"), ("标签", "tag"), tags),
        OWNER,
        *_external("client"),
    ),
)

CONTACTS = Spec(
    "contacts",
    (
        CLIENT_REF,
        _text(Contact, "name", "姓名", "联系人", "联系人姓名", "contactname", required=True),
        _text(Contact, "title", "职位", "职务", "jobtitle", "position"),
        _text(Contact, "department", "部门", "dept"),
        Target(
            "email",
            gettext_lazy("e-mail"),
            ("邮箱", "电子邮件", "电子邮箱", "mail", "emailaddress"),
            model_cleaner(Contact, "email", str.lower),
        ),
        Target(
            "mobile",
            gettext_lazy("mobile"),
            ("手机", "手机号", "手机号码", "电话", "phone", "tel"),
            model_cleaner(Contact, "mobile", phone),
        ),
        _text(Contact, "wechat_id", "微信", "微信号", "wechat", "weixin"),
        Target(
            "preferred_channel",
            gettext_lazy("preferred channel"),
            ("首选渠道", "沟通渠道", "渠道", "channel"),
            choice_cleaner(Contact, "preferred_channel", Channel.choices),
        ),
        Target(
            "language",
            gettext_lazy("language"),
            ("语言", "lang"),
            choice_cleaner(Contact, "language", settings.LANGUAGES),
        ),
        Target(
            "decision_role",
            gettext_lazy("role in decisions"),
            ("决策角色", "角色", "role", "decisionrole"),
            choice_cleaner(Contact, "decision_role", DecisionRole.choices),
        ),
        Target(
            "influence",
            gettext_lazy("influence"),
            ("影响力", "权力", "power"),
            model_cleaner(Contact, "influence", whole_number),
        ),
        Target(
            "interest",
            gettext_lazy("interest"),
            ("利益", "关注度", "兴趣"),
            model_cleaner(Contact, "interest", whole_number),
        ),
        _text(Contact, "notes", "备注", "说明", "note", "remarks"),
        *_external("contact"),
    ),
)

OPPORTUNITIES = Spec(
    "opportunities",
    (
        CLIENT_REF,
        _text(
            Opportunity, "title", "商机", "商机名称", "标题", "名称", "name", "deal", required=True
        ),
        Target(
            "amount",
            gettext_lazy("amount"),
            ("金额", "商机金额", "预计金额", "value"),
            model_cleaner(Opportunity, "amount", amount),
        ),
        Target(
            "currency",
            gettext_lazy("currency"),
            ("币种", "货币"),
            choice_cleaner(Opportunity, "currency", Currency.choices),
        ),
        Target(
            "expected_close",
            gettext_lazy("expected close date"),
            ("预计成交日期", "预计签约日期", "成交日期", "closedate", "expectedclose"),
            date,
        ),
        Target(
            "probability",
            gettext_lazy("probability (%)"),
            ("赢率", "概率", "成交概率"),
            model_cleaner(Opportunity, "probability", whole_number),
        ),
        OWNER,
        Target("stage", gettext_lazy("stage"), ("阶段", "销售阶段")),
        _text(Opportunity, "next_step", "下一步", "下一步计划", "nextstep"),
        *_external("opportunity"),
    ),
)

SPECS = {spec.kind: spec for spec in (CLIENTS, CONTACTS, OPPORTUNITIES)}


def _names(target: Target) -> set[str]:
    names = {normalise_heading(target.key), *(normalise_heading(a) for a in target.aliases)}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(normalise_heading(str(target.label)))
    return names


def guess_mapping(spec: Spec, headers: Iterable[str]) -> dict[str, str]:
    """``{field key: heading}`` for each heading that names a field, in English or Chinese."""
    mapping: dict[str, str] = {}
    for heading in headers:
        wanted = normalise_heading(heading)
        for target in spec.targets:
            if target.key not in mapping and wanted in _names(target):
                mapping[target.key] = heading
                break
    return mapping


def check_mapping(spec: Spec, headers: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping without blanks; ValidationError if it names unknown fields or headings,
    uses a heading twice, or leaves a required field unmapped."""
    chosen = {key: heading for key, heading in mapping.items() if heading}
    problems = [
        _("“%(field)s” is not a field of this import.") % {"field": key}
        for key in chosen
        if key not in spec.by_key
    ]
    problems += [
        _("The file has no column “%(heading)s”.") % {"heading": heading}
        for heading in chosen.values()
        if heading not in headers
    ]
    used = list(chosen.values())
    problems += [
        _("The column “%(heading)s” is mapped to more than one field.") % {"heading": heading}
        for heading in sorted({h for h in used if used.count(h) > 1})
    ]
    problems += [
        _("Choose the column for “%(field)s”; it is required.") % {"field": target.label}
        for target in spec.targets
        if target.required and target.key not in chosen
    ]
    if problems:
        raise ValidationError(problems, code="mapping")
    return chosen


@dataclass
class CleanRow:
    number: int
    values: dict[str, Any]  # non-blank cells, cleaned
    errors: list[tuple[str, str]]  # (heading, message)
    labels: dict[str, str] = field(default_factory=dict)  # references as written, for the audit


def clean_row(
    spec: Spec, columns: list[tuple[int, str, str]], number: int, cells: list[str]
) -> CleanRow:
    """Clean the mapped cells; ``columns`` is ``(cell index, field key, heading)``."""
    row = CleanRow(number, {}, [])
    for index, key, heading in columns:
        text = cells[index]
        target = spec.by_key[key]
        if not text:
            if target.required:
                row.errors.append((heading, _("This field is required.")))
            continue
        try:
            row.values[key] = target.clean(text)
        except ValidationError as error:
            row.errors.extend((heading, message) for message in error.messages)
    return row
