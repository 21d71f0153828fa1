"""The requirements document as data: build it from the draft, the register and (for a
project) its measurable goals and scope statements; hash it, compare two versions, and present
it in the document's language.

``content`` is plain JSON (what a version freezes)::

    {"title": …, "language": "zh-hans",
     "sections": [{"key": "background", "texts": {"background": "…"}, "requirements": [row…]},
                  {"key": "goals", …, "goals": [goal row…]},   # only when the project has goals
                  {"key": "scope", …, "scope": [scope row…]},  # only when it has statements
                  …]}

Labels are never stored: they are rendered from the keys in the document's language, so the
hash depends only on what the document says. A deal's document, and a project's without goals
or scope statements, hold no ``goals``/``scope`` keys, so their hashes are what they always were.
"""

import datetime
import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Prefetch
from django.utils import formats
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


# The fields of a frozen goal row and scope row that a change is reported for ("id" matches
# a row across versions and is never reported).
GOAL_FIELDS = ("title", "target", "unit", "baseline", "due", "requirements")
SCOPE_FIELDS = ("text", "in_scope")


def requirement_row(requirement: Any) -> dict[str, Any]:
    return {name: getattr(requirement, name) for name in ROW_FIELDS}


def number_text(value: Decimal | None) -> str | None:
    """A decimal as plain text without trailing zeros ("30", "12.5"), so 30 and 30.00 freeze
    the same."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def goal_row(goal: Any) -> dict[str, Any]:
    """A measurable goal as the document freezes it; its linked requirements by code."""
    return {
        "id": goal.pk,
        "title": goal.title,
        "target": number_text(goal.target),
        "unit": goal.unit,
        "baseline": number_text(goal.baseline_value),
        "due": goal.due_date.isoformat(),
        "requirements": [requirement.code for requirement in goal.requirements.all()],
    }


def scope_row(item: Any) -> dict[str, Any]:
    return {"id": item.pk, "text": item.text, "in_scope": item.in_scope}


def project_plan(project_id: int | None) -> dict[str, Any]:
    """A project's goals (linked requirements prefetched in code order) and scope statements,
    in their order, as :func:`build_content` takes them; a deal (None) has none. Three
    queries for a project."""
    if project_id is None:
        return {"goals": [], "scope": []}
    goal_model = apps.get_model("planning", "Goal")
    scope_model = apps.get_model("planning", "ScopeItem")
    requirement_model = apps.get_model("discovery", "Requirement")
    by_code = Prefetch("requirements", queryset=requirement_model.objects.order_by("number"))
    return {
        "goals": goal_model.objects.filter(project_id=project_id).prefetch_related(by_code),
        "scope": scope_model.objects.filter(project_id=project_id),
    }


def document_plan(document: Any) -> dict[str, Any]:
    """The goals and scope statements a document's draft shows: its project's, a deal's none."""
    return project_plan(document.project_id)


def build_content(
    *,
    title: str,
    language: str,
    texts: Mapping[str, str],
    requirements: Iterable[Any],
    goals: Iterable[Any] = (),
    scope: Iterable[Any] = (),
) -> dict[str, Any]:
    """The document as data. ``requirements``: the register's rows, rejected ones left out
    by the caller, in code order; ``goals`` and ``scope``: the project's measurable goals and
    scope statements, in their order (see :func:`project_plan`)."""
    rows = [requirement_row(requirement) for requirement in requirements]
    plan: dict[str, tuple[str, list[dict[str, Any]]]] = {
        DocumentSection.GOALS: ("goals", [goal_row(goal) for goal in goals]),
        DocumentSection.SCOPE: ("scope", [scope_row(item) for item in scope]),
    }
    sections = []
    for key in DocumentSection.values:
        types = SECTION_TYPES.get(key, ())
        section: dict[str, Any] = {
            "key": key,
            "texts": {name: texts.get(name, "") for name in SECTION_TEXTS[key]},
            # grouped by type in the section's order, each group in code order
            "requirements": [row for kind in types for row in rows if row["type"] == kind],
        }
        name, items = plan.get(key, ("", []))
        if items:
            section[name] = items
        sections.append(section)
    return {"title": title, "language": language, "sections": sections}


def plan_part(content: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The goals and scope rows a content holds (none in a version frozen without them)."""
    sections = {section["key"]: section for section in content["sections"]}
    return {
        "goals": sections.get(DocumentSection.GOALS, {}).get("goals", []),
        "scope": sections.get(DocumentSection.SCOPE, {}).get("scope", []),
    }


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
class ItemChange:
    """A goal ("goal") or scope statement ("scope") added, removed or changed."""

    what: str
    title: str
    kind: str  # "added", "removed", "changed"
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def shown_fields(self) -> list[tuple[str, str, str]]:
        """``(label, old, new)`` of each changed field, in the active language."""
        return [
            (
                item_field_label(self.what, change.field),
                item_value_text(change.field, change.old),
                item_value_text(change.field, change.new),
            )
            for change in self.fields
        ]


@dataclass
class SectionDiff:
    key: str
    texts: list[TextChange] = field(default_factory=list)
    requirements: list[RequirementChange] = field(default_factory=list)
    goals: list[ItemChange] = field(default_factory=list)
    scope: list[ItemChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.texts or self.requirements or self.goals or self.scope)


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


def item_changes(
    what: str, old_rows: Sequence[Mapping[str, Any]], new_rows: Sequence[Mapping[str, Any]]
) -> list[ItemChange]:
    """Goals (``what`` "goal") or scope statements ("scope") added, changed (matched by id,
    in their new order), then removed (in their old order)."""
    names, title = (GOAL_FIELDS, "title") if what == "goal" else (SCOPE_FIELDS, "text")
    before = {row["id"]: row for row in old_rows}
    after_ids = {row["id"] for row in new_rows}
    changes = []
    for row in new_rows:
        previous = before.get(row["id"])
        if previous is None:
            changes.append(ItemChange(what, row[title], "added"))
            continue
        fields = [
            FieldChange(name, previous.get(name), row.get(name))
            for name in names
            if previous.get(name) != row.get(name)
        ]
        if fields:
            changes.append(ItemChange(what, row[title], "changed", fields))
    changes += [
        ItemChange(what, row[title], "removed") for row in old_rows if row["id"] not in after_ids
    ]
    return changes


def plan_changes(
    old: Mapping[str, Sequence[Mapping[str, Any]]], new: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, list[ItemChange]]:
    """Between two :func:`plan_part` values: ``{"goals": [change…], "scope": [change…]}``."""
    return {
        "goals": item_changes("goal", old["goals"], new["goals"]),
        "scope": item_changes("scope", old["scope"], new["scope"]),
    }


def diff_contents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SectionDiff]:
    """Per section (in document order): narrative changes, requirement changes, and the
    changes to the goals (Goals section) and scope statements (Scope section)."""
    old_texts = {section["key"]: section["texts"] for section in old["sections"]}
    changes = _requirement_changes(old, new)
    plan = plan_changes(plan_part(old), plan_part(new))
    result = []
    for section in new["sections"]:
        key = section["key"]
        texts = [
            TextChange(name, text_diff(old_texts.get(key, {}).get(name, ""), text))
            for name, text in section["texts"].items()
            if old_texts.get(key, {}).get(name, "") != text
        ]
        result.append(
            SectionDiff(
                key,
                texts,
                changes.get(key, []),
                goals=plan["goals"] if key == DocumentSection.GOALS else [],
                scope=plan["scope"] if key == DocumentSection.SCOPE else [],
            )
        )
    return result


# ---- presentation -------------------------------------------------------------------------------


@dataclass
class Paragraphs:
    label: str  # "" when the section has one narrative text
    text: str
    items: list[str] = field(default_factory=list)  # the scope statements under in / out
    name: str = ""  # the narrative field shown


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
    goals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        written = any(part.text or part.items for part in self.texts)
        return not (written or self.groups or self.glossary or self.goals)


def text_label(name: str) -> str:
    labels = {"scope_in": _("In scope"), "scope_out": _("Out of scope")}
    return labels.get(name, "")


def item_field_label(what: str, name: str) -> str:
    """The label of a goal's or scope statement's field, in the active language."""
    labels = {
        ("goal", "title"): _("Goal"),
        ("goal", "target"): _("Target"),
        ("goal", "unit"): _("Unit"),
        ("goal", "baseline"): _("Today's value"),
        ("goal", "due"): _("Due"),
        ("goal", "requirements"): _("Requirements"),
        ("scope", "text"): _("Statement"),
        ("scope", "in_scope"): _("In or out of scope"),
    }
    return labels.get((what, name), name)


def item_value_text(name: str, value: Any) -> str:
    """A frozen goal or scope value as a reader sees it, in the active language."""
    if name == "in_scope":
        return _("In scope") if value else _("Out of scope")
    if name == "due" and value:
        return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return "—" if value in (None, "") else str(value)


def shown_goal(row: Mapping[str, Any]) -> dict[str, Any]:
    """A frozen goal row with its due date as a date, for date formatting."""
    return {**row, "due_date": datetime.date.fromisoformat(row["due"])}


def _scope_items(section: Mapping[str, Any], name: str) -> list[str]:
    wanted = {"scope_in": True, "scope_out": False}.get(name)
    return [row["text"] for row in section.get("scope", []) if row["in_scope"] is wanted]


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
                texts=[
                    Paragraphs(text_label(name), text, _scope_items(section, name), name)
                    for name, text in texts.items()
                ],
                groups=[group for group in groups if group.rows],
                glossary=glossary,
                goals=[shown_goal(row) for row in section.get("goals", [])],
            )
        )
    return views
