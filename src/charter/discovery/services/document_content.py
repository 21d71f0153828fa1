"""The requirements document as data: build it from the draft and the register, hash it,
compare two versions, and present it in the document's language.

``content`` is plain JSON (what a version freezes)::

    {"title": …, "language": "zh-hans",
     "sections": [{"key": "background", "texts": {"background": "…"}, "requirements": [row…]}, …]}

Labels are never stored: they are rendered from the keys in the document's language, so the
hash depends only on what the document says.
"""

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from charter.discovery.choices import (
    DocumentSection,
    Priority,
    RequirementStatus,
    RequirementType,
)

# section → the narrative fields of RequirementsDocument it shows, in order
SECTION_TEXTS: dict[str, tuple[str, ...]] = {
    DocumentSection.BACKGROUND: ("background",),
    DocumentSection.GOALS: ("goals",),
    DocumentSection.REQUIREMENTS: ("requirements_intro",),
    DocumentSection.EXPECTATIONS: ("expectations",),
    DocumentSection.CONSTRAINTS: ("constraints_text",),
    DocumentSection.SCOPE: ("scope_in", "scope_out"),
    DocumentSection.GLOSSARY: ("glossary",),
}
NARRATIVE_FIELDS = tuple(name for names in SECTION_TEXTS.values() for name in names)

# section → the requirement types listed in it (the register's rows of those types)
SECTION_TYPES: dict[str, tuple[str, ...]] = {
    DocumentSection.GOALS: (RequirementType.BUSINESS_GOAL,),
    DocumentSection.REQUIREMENTS: (RequirementType.FUNCTIONAL, RequirementType.NON_FUNCTIONAL),
    DocumentSection.EXPECTATIONS: (RequirementType.EXPECTATION,),
    DocumentSection.CONSTRAINTS: (RequirementType.CONSTRAINT,),
}
ROW_FIELDS = (
    "code",
    "title",
    "type",
    "priority",
    "description",
    "acceptance_criteria",
    "status",
    "latent_need",
)


def requirement_row(requirement: Any) -> dict[str, Any]:
    return {name: getattr(requirement, name) for name in ROW_FIELDS}


def build_content(
    *, title: str, language: str, texts: Mapping[str, str], requirements: Iterable[Any]
) -> dict[str, Any]:
    """The document as data. ``requirements``: the register's rows, rejected ones left out
    by the caller, in code order."""
    rows = [requirement_row(requirement) for requirement in requirements]
    sections = []
    for key in DocumentSection.values:
        types = SECTION_TYPES.get(key, ())
        sections.append(
            {
                "key": key,
                "texts": {name: texts.get(name, "") for name in SECTION_TEXTS[key]},
                # grouped by type in the section's order, each group in code order
                "requirements": [row for kind in types for row in rows if row["type"] == kind],
            }
        )
    return {"title": title, "language": language, "sections": sections}


def canonical_json(content: Any) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: Any) -> str:
    """SHA-256 (hex) over the canonical JSON: the same content always hashes the same,
    whatever the key order."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


# ---- diff ---------------------------------------------------------------------------------------

# A word of letters/digits outside the CJK blocks, a run of spaces, or any single other
# character: Chinese text is compared character by character.
_TOKEN = re.compile(r"[^\W\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]+|\s+|.", re.S)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op "equal", "delete" or "insert"; joining the equal and delete
    parts gives ``old``, the equal and insert parts ``new``."""
    a, b = tokens(old), tokens(new)
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


@dataclass
class TextChange:
    field: str
    ops: list[tuple[str, str]]


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class RequirementChange:
    code: str
    title: str
    kind: str  # "added", "removed", "changed"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class SectionDiff:
    key: str
    texts: list[TextChange] = field(default_factory=list)
    requirements: list[RequirementChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.texts or self.requirements)


def _rows_by_code(content: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        row["code"]: (section["key"], row)
        for section in content["sections"]
        for row in section["requirements"]
    }


def _requirement_changes(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> dict[str, list[RequirementChange]]:
    """Per section key: requirements added, removed or changed (matched by code). A changed
    or added one is listed where it is now, a removed one where it was."""
    before, after = _rows_by_code(old), _rows_by_code(new)
    by_section: dict[str, list[RequirementChange]] = {}
    for code in sorted(before.keys() | after.keys()):
        if code not in before:
            key, row = after[code]
            change = RequirementChange(code, row["title"], "added")
        elif code not in after:
            key, row = before[code]
            change = RequirementChange(code, row["title"], "removed")
        else:
            (_old_key, old_row), (key, row) = before[code], after[code]
            fields = [
                FieldChange(name, old_row.get(name), row.get(name))
                for name in ROW_FIELDS
                if old_row.get(name) != row.get(name)
            ]
            if not fields:
                continue
            change = RequirementChange(code, row["title"], "changed", fields)
        by_section.setdefault(key, []).append(change)
    return by_section


def diff_contents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SectionDiff]:
    """Per section (in document order): narrative changes and requirement changes."""
    old_texts = {section["key"]: section["texts"] for section in old["sections"]}
    changes = _requirement_changes(old, new)
    result = []
    for section in new["sections"]:
        key = section["key"]
        texts = [
            TextChange(name, text_diff(old_texts.get(key, {}).get(name, ""), text))
            for name, text in section["texts"].items()
            if old_texts.get(key, {}).get(name, "") != text
        ]
        result.append(SectionDiff(key, texts, changes.get(key, [])))
    return result


# ---- presentation -------------------------------------------------------------------------------


@dataclass
class Paragraphs:
    label: str  # "" when the section has one narrative text
    text: str


@dataclass
class RequirementGroup:
    label: str  # "" when the section lists one type
    rows: list[dict[str, Any]]


@dataclass
class SectionView:
    number: int
    key: str
    heading: str
    texts: list[Paragraphs]
    groups: list[RequirementGroup]
    glossary: list[tuple[str, str]]

    @property
    def empty(self) -> bool:
        return not (any(part.text for part in self.texts) or self.groups or self.glossary)


def text_label(name: str) -> str:
    labels = {"scope_in": _("In scope"), "scope_out": _("Out of scope")}
    return labels.get(name, "")


def glossary_entries(text: str) -> list[tuple[str, str]]:
    """ "term: meaning" lines (ASCII or full-width colon) → pairs; other lines have no term."""
    entries = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        match = re.match(r"(.+?)[:：](.*)", line)
        entries.append((match[1].strip(), match[2].strip()) if match else ("", line))
    return entries


def labelled_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A requirement row with its labels in the active language."""
    return {
        **row,
        "type_label": _label(RequirementType, row["type"]),
        "priority_label": _label(Priority, row["priority"]),
        "status_label": _label(RequirementStatus, row["status"]),
    }


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def present(content: Mapping[str, Any]) -> list[SectionView]:
    """The sections with headings and labels in the active language (call it inside
    ``translation.override(content["language"])``)."""
    views = []
    for number, section in enumerate(content["sections"], start=1):
        key = section["key"]
        texts = dict(section["texts"])
        glossary = glossary_entries(texts.pop("glossary", "")) if key == "glossary" else []
        rows = [labelled_row(row) for row in section["requirements"]]
        types = SECTION_TYPES.get(key, ())
        groups = [
            RequirementGroup(
                _label(RequirementType, kind) if len(types) > 1 else "",
                [row for row in rows if row["type"] == kind],
            )
            for kind in types
        ]
        views.append(
            SectionView(
                number=number,
                key=key,
                heading=_label(DocumentSection, key),
                texts=[Paragraphs(text_label(name), text) for name, text in texts.items()],
                groups=[group for group in groups if group.rows],
                glossary=glossary,
            )
        )
    return views
