"""Import of a requirement register from CSV/XLSX: a dry run (the per-row report) or a commit.

File reading, heading recognition and cell cleaning come from :mod:`charter.crm.importing`.
A row with a Code updates that requirement of the parent (version-checked, audited); a row
without one updates the requirement with the same title if there is exactly one, else adds a
new REQ code — so importing the same file twice changes nothing, and the register's own export
imports back unchanged. An empty cell clears a text field, the owner or the latent-need flag;
an empty type, priority, status, value or effort keeps the current one (a new row takes the
default).

The dry run does exactly what the commit does — through the same services, row by row in
savepoints — and then rolls everything back, so its report is what the commit will do.
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from charter.core.concurrency import StaleEdit
from charter.crm import importing
from charter.crm.importing import CleanRow, FileProblem, Spec, Target
from charter.discovery.choices import Priority, RequirementStatus, RequirementType
from charter.discovery.models import Requirement
from charter.discovery.models.base import parent_field
from charter.discovery.services import requirements as requirement_services
from charter.planning.forms import colleagues

MAX_BYTES = 2 * 1024 * 1024

TRUE = {"1", "true", "yes", "y", "x", "✓", "是", "有", "真"}
FALSE = {"0", "false", "no", "n", "否", "无", "假"}


def code_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def yes_no(text: str) -> bool:
    word = unicodedata.normalize("NFKC", text).strip().casefold()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ValidationError(
        _("“%(value)s” is not yes or no; write Yes/No or 是/否.") % {"value": text}
    )


def _choice(name: str, choices: Any, label: Any, *aliases: str) -> Target:
    """A choice column: its value, or its label in either language; else the allowed list."""
    clean = importing.choice_cleaner(Requirement, name, choices)

    def cleaned(text: str) -> Any:
        try:
            return clean(text)
        except ValidationError:
            allowed = " / ".join(str(choice_label) for _value, choice_label in choices)
            raise ValidationError(
                _("“%(value)s” is not allowed here; use one of: %(allowed)s.")
                % {"value": text, "allowed": allowed}
            ) from None

    return Target(name, label, aliases, cleaned)


def _number(name: str, label: Any, *aliases: str) -> Target:
    clean = importing.model_cleaner(Requirement, name, importing.whole_number)
    return Target(name, label, aliases, clean)


def _text(name: str, label: Any, *aliases: str, required: bool = False) -> Target:
    return Target(name, label, aliases, importing.model_cleaner(Requirement, name), required)


# Labels are the export's column headings (views.requirements.EXPORT_COLUMNS), so the export
# in either language is recognised; the aliases add the usual Chinese headings.
REQUIREMENTS = Spec(
    "requirements",
    (
        Target("code", gettext_lazy("Code"), ("编号", "需求编号", "reqid"), code_text),
        _text(
            "title", pgettext_lazy("requirement", "Title"), "标题", "需求", "名称", required=True
        ),
        _text("description", gettext_lazy("Description"), "描述", "说明", "详细描述"),
        _choice("type", RequirementType.choices, gettext_lazy("Type"), "类型", "需求类型"),
        _choice("priority", Priority.choices, gettext_lazy("Priority"), "优先级", "moscow"),
        _number("value", gettext_lazy("Value"), "价值"),
        _number("effort", gettext_lazy("Effort"), "工作量"),
        _choice("status", RequirementStatus.choices, gettext_lazy("Status"), "状态"),
        Target("latent_need", gettext_lazy("Latent need"), ("潜在需求", "latent"), yes_no),
        _text("latent_evidence", gettext_lazy("Evidence"), "证据", "latentevidence"),
        _text("acceptance_criteria", gettext_lazy("Acceptance criteria"), "验收标准"),
        Target("owner", gettext_lazy("Owner"), ("负责人", "owneremail")),
        Target(
            "client_visible",
            gettext_lazy("Visible to the client"),
            ("客户可见", "clientvisible"),
            yes_no,
        ),
    ),
)

# What an empty cell of a mapped column means (fields not listed keep their value).
CLEARED: dict[str, Any] = {
    "description": "",
    "latent_evidence": "",
    "acceptance_criteria": "",
    "owner": None,
    "latent_need": False,
    "client_visible": False,
}

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass
class RowReport:
    number: int  # as in the file; the heading row is 1
    action: str  # create, update, unchanged or error
    code: str  # the requirement's code (a new row's code as it would be given)
    title: str
    changes: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (heading, message)


@dataclass
class ImportReport:
    rows: list[RowReport]
    ignored_columns: list[str]
    committed: bool = False
    versions: dict[str, int] = field(default_factory=dict)  # code → version the run was based on

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (CREATE, UPDATE, UNCHANGED, ERROR)}

    @property
    def has_errors(self) -> bool:
        return self.count(ERROR) > 0

    @property
    def can_commit(self) -> bool:
        """Valid, and importing it would change something."""
        return not self.has_errors and bool(self.count(CREATE) or self.count(UPDATE))


class Owners:
    """Active colleagues by username, e-mail or display name (the export writes the latter);
    a display name two colleagues share is not accepted."""

    def __init__(self) -> None:
        self.by_key: dict[str, Any] = {}
        names: dict[str, list[Any]] = {}
        for user in colleagues():
            self.by_key[user.username.casefold()] = user
            if user.email:
                self.by_key.setdefault(user.email.casefold(), user)
            names.setdefault(str(user).casefold(), []).append(user)
        for name, users in names.items():
            if len(users) == 1:
                self.by_key.setdefault(name, users[0])

    def find(self, text: str) -> Any:
        user = self.by_key.get(text.strip().casefold())
        if user is None:
            raise ValidationError(
                _("No active colleague has the username, e-mail or name “%(value)s”.")
                % {"value": text}
            )
        return user


def read_rows(stream: IO[bytes], name: str) -> tuple[list[CleanRow], dict[str, str], list[str]]:
    """The file's rows cleaned, the mapping ``{field: heading}`` and the ignored headings.
    Raises FileProblem when the file as a whole cannot be imported."""
    stream.seek(0, 2)
    if stream.tell() > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(size)d MB; split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    info = importing.inspect_file(stream, name)
    mapping = importing.guess_mapping(REQUIREMENTS, info.headers)
    if "title" not in mapping:
        raise FileProblem(
            _("The file has no title column; name one column “Title” or “标题”."), code="title"
        )
    columns = [(info.headers.index(heading), key, heading) for key, heading in mapping.items()]
    rows = []
    for number, cells in importing.iter_rows(stream, info):
        row = importing.clean_row(REQUIREMENTS, columns, number, cells)
        for index, key, _heading in columns:
            if not cells[index] and key in CLEARED:
                row.values[key] = CLEARED[key]
        rows.append(row)
    ignored = [heading for heading in info.headers if heading not in mapping.values()]
    return rows, mapping, ignored


class _Run:
    """One pass over the rows of a parent's file, writing through the services."""

    def __init__(
        self, parent: models.Model, actor: Any, mapping: Mapping[str, str], versions: Any
    ) -> None:
        self.parent = parent
        self.actor = actor
        self.mapping = mapping
        self.expected = versions or {}
        self.owners = Owners() if "owner" in mapping else None
        field_name = parent_field(parent)
        existing = list(
            Requirement.objects.select_for_update(of=("self",))  # the owner join is nullable
            .filter(**{field_name: parent})
            .select_related("owner")
            .order_by("number", "pk")
        )
        self.by_code = {row.code: row for row in existing}
        self.by_title: dict[str, list[Requirement]] = {}
        for row in existing:
            self.by_title.setdefault(row.title.casefold(), []).append(row)
        self.seen_codes: dict[str, int] = {}
        self.seen_titles: dict[str, int] = {}
        self.versions: dict[str, int] = {}

    def error(self, row: CleanRow, key: str, message: str) -> None:
        row.errors.append((self.mapping.get(key, ""), message))

    def resolve_owner(self, row: CleanRow) -> None:
        text = row.values.get("owner")
        if self.owners is None or not text:
            return
        try:
            row.values["owner"] = self.owners.find(text)
        except ValidationError as problem:
            del row.values["owner"]
            self.error(row, "owner", problem.messages[0])

    def match(self, row: CleanRow) -> Requirement | None:
        code = row.values.pop("code", "")
        title = str(row.values.get("title", "")).casefold()
        if code:
            if code in self.seen_codes:
                self.error(
                    row,
                    "code",
                    _("%(code)s is also on row %(row)d; each requirement may appear once.")
                    % {"code": code, "row": self.seen_codes[code]},
                )
                return None
            self.seen_codes[code] = row.number
            if code not in self.by_code:
                self.error(
                    row,
                    "code",
                    _("There is no requirement %(code)s here; leave Code empty to add one.")
                    % {"code": code},
                )
            return self.by_code.get(code)
        if title in self.seen_titles:
            self.error(
                row,
                "title",
                _("Row %(row)d has the same title; give each row a Code or its own title.")
                % {"row": self.seen_titles[title]},
            )
            return None
        self.seen_titles[title] = row.number
        same_title = self.by_title.get(title, [])
        if len(same_title) > 1:
            self.error(
                row,
                "title",
                _("Several requirements have this title (%(codes)s); add the Code column.")
                % {"codes": ", ".join(r.code for r in same_title)},
            )
            return None
        return same_title[0] if same_title else None

    def report(self, row: CleanRow) -> RowReport:
        title = str(row.values.get("title", ""))
        existing = self.match(row)
        self.resolve_owner(row)
        code = existing.code if existing else ""
        if row.errors:
            return RowReport(row.number, ERROR, code, title, errors=row.errors)
        if existing is None:
            return self.create(row, title)
        return self.update(row, existing)

    def create(self, row: CleanRow, title: str) -> RowReport:
        try:
            with transaction.atomic():
                created = requirement_services.create_requirement(
                    self.parent, actor=self.actor, **row.values
                )
        except ValidationError as problem:
            return RowReport(row.number, ERROR, "", title, errors=self.messages(problem))
        changes = {name: [None, _shown(value)] for name, value in row.values.items()}
        return RowReport(row.number, CREATE, created.code, created.title, changes)

    def update(self, row: CleanRow, existing: Requirement) -> RowReport:
        changes = {
            name: value for name, value in row.values.items() if getattr(existing, name) != value
        }
        expected = self.expected.get(existing.code, existing.version)
        self.versions[existing.code] = existing.version
        if not changes and expected == existing.version:
            return RowReport(row.number, UNCHANGED, existing.code, existing.title)
        before = {name: getattr(existing, name) for name in changes}
        try:
            with transaction.atomic():
                requirement_services.update_requirement(
                    existing, actor=self.actor, expected_version=expected, **changes
                )
        except StaleEdit:
            message = _("%(code)s was saved by someone else after the check; check again.") % {
                "code": existing.code
            }
            return RowReport(
                row.number, ERROR, existing.code, existing.title, errors=[("", message)]
            )
        except ValidationError as problem:
            return RowReport(
                row.number, ERROR, existing.code, existing.title, errors=self.messages(problem)
            )
        shown = {name: [_shown(before[name]), _shown(value)] for name, value in changes.items()}
        return RowReport(row.number, UPDATE, existing.code, existing.title, shown)

    def messages(self, problem: ValidationError) -> list[tuple[str, str]]:
        if not hasattr(problem, "error_dict"):
            return [("", message) for message in problem.messages]
        return [
            (self.mapping.get(name, ""), message)
            for name, messages in problem.message_dict.items()
            for message in messages
        ]


def _shown(value: Any) -> Any:
    return str(value) if isinstance(value, models.Model) else value


def import_requirements(
    parent: models.Model,
    stream: IO[bytes],
    name: str,
    *,
    actor: Any,
    commit: bool,
    versions: Mapping[str, int] | None = None,
) -> ImportReport:
    """Check (``commit=False``) or import the requirement file ``stream`` (named ``name``,
    CSV or XLSX) into ``parent``, a project or a deal. All or nothing: rows with errors, or a
    dry run, leave the database as it was. ``versions`` (code → version, from the dry run's
    report) makes the commit refuse rows saved by someone else since the check.

    Locks the parent and its requirements (SELECT … FOR UPDATE) for the run. Raises
    FileProblem (a ValidationError) when the file itself cannot be read."""
    rows, mapping, ignored = read_rows(stream, name)
    with transaction.atomic():
        run = _Run(parent, actor, mapping, versions)
        report = ImportReport([run.report(row) for row in rows], ignored, versions=run.versions)
        report.committed = commit and not report.has_errors
        if not report.committed:
            transaction.set_rollback(True)
    return report
