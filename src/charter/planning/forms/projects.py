from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.comms.models import CommunicationKind
from charter.core import policy
from charter.core.forms import StyledForm, VersionedForm
from charter.core.models import Attachment
from charter.crm.choices import Channel, DecisionRole
from charter.crm.models import Client, Contact, Interaction, Opportunity
from charter.engine.recurrence import RuleError, parse_rule
from charter.planning.choices import ProjectStatus, RiskResponse
from charter.planning.models import Project, ProjectTemplate
from charter.planning.services.conversion import next_working_day
from charter.planning.services.templates import (
    CommunicationSpec,
    PhaseSpec,
    RiskSpec,
    TaskSpec,
    TemplateContent,
)

SEPARATOR = "|"
MILESTONE_WORDS = {"milestone", "m", "里程碑"}


def managers() -> QuerySet[User]:
    """Who may be chosen as project manager: active managers and administrators."""
    return User.objects.filter(is_active=True, role__in=policy.MANAGERS).order_by(
        "display_name", "username"
    )


def colleagues() -> QuerySet[User]:
    """Who may be on a project team: every active colleague (no client users)."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role=policy.CLIENT)
        .order_by("display_name", "username")
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


# ---- projects ----------------------------------------------------------------------------------


class ProjectFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ProjectStatus.choices], required=False
    )
    manager = forms.ModelChoiceField(
        label=_("Project manager"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Any project manager"),
    )
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        required=False,
        empty_label=_("Any client"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            managed_projects__in=Project.objects.for_user(user)
        ).distinct()
        self.fields["client"].queryset = Client.objects.filter(  # type: ignore[attr-defined]
            projects__in=Project.objects.for_user(user)
        ).distinct()


class ProjectForm(StyledForm, VersionedForm):
    """The project header: a small versioned form on the project page."""

    name = forms.CharField(label=_("Name"), max_length=200)
    budget = forms.DecimalField(
        label=_("Budget"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    manager = forms.ModelChoiceField(label=_("Project manager"), queryset=User.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    team = forms.ModelMultipleChoiceField(
        label=_("Team"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Members see and work on this project; the manager always belongs to it."),
    )

    FIELDS = ("name", "budget", "status", "manager", "start_date")

    @classmethod
    def for_project(cls, project: Project, data: Any = None) -> "ProjectForm":
        initial = {name: getattr(project, name) for name in cls.FIELDS}
        initial["team"] = list(project.members.all())
        form = cls(data, initial={**initial, "version": project.version})
        form.fields["team"].queryset = colleagues()  # type: ignore[attr-defined]
        # The current manager stays choosable even if their role changed since.
        choices = managers() | User.objects.filter(pk=project.manager_id)
        form.fields["manager"].queryset = choices.distinct()  # type: ignore[attr-defined]
        return form


# ---- the conversion wizard ---------------------------------------------------------------------


class InteractionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Interaction) -> str:
        return f"{obj.occurred_at:%Y-%m-%d} · {obj.get_kind_display()} · {obj.summary[:80]}"


class AttachmentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Attachment) -> str:
        return obj.name + (f" · {obj.description}" if obj.description else "")


class ConvertForm(StyledForm, forms.Form):
    """Template, manager, start, stakeholders (one include/role pair per contact), notes, files."""

    template = forms.ModelChoiceField(
        label=_("Project template"), queryset=ProjectTemplate.objects.none()
    )
    manager = forms.ModelChoiceField(label=_("Project manager"), queryset=User.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    budget = forms.DecimalField(
        label=_("Budget"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("The deal amount when left empty."),
    )
    interactions = InteractionChoice(
        label=_("Pre-sales notes to carry over"),
        queryset=Interaction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = AttachmentChoice(
        label=_("Files to copy into the project"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    force_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        user: Any,
        opportunity: Opportunity,
        contacts: Iterable[Contact],
        interactions: QuerySet[Interaction],
        attachments: QuerySet[Attachment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = list(contacts)
        self.fields["template"].queryset = ProjectTemplate.objects.for_user(user)  # type: ignore[attr-defined]
        self.fields["manager"].queryset = managers()  # type: ignore[attr-defined]
        self.fields["interactions"].queryset = interactions  # type: ignore[attr-defined]
        self.fields["attachments"].queryset = attachments  # type: ignore[attr-defined]
        for contact in self.contacts:
            self.fields[f"stakeholder_{contact.pk}"] = forms.BooleanField(
                label=contact.name,
                required=False,
                initial=contact.decision_role != DecisionRole.OTHER,
            )
            self.fields[f"role_{contact.pk}"] = forms.ChoiceField(
                label=_("Role of %(name)s") % {"name": contact.name},
                choices=DecisionRole.choices,
                initial=contact.decision_role,
            )

    @staticmethod
    def initial_for(
        opportunity: Opportunity,
        user: Any,
        *,
        today: Any,
        interactions: QuerySet[Interaction],
        attachments: QuerySet[Attachment],
    ) -> dict[str, Any]:
        """Defaults: the user's language's default template, the deal's amount, every
        pre-sales note, the deal's own files (the client's files are offered unticked)."""
        templates = ProjectTemplate.objects.for_user(user).filter(is_default=True)
        return {
            "template": templates.filter(language=user.language).first() or templates.first(),
            "manager": user if policy.role_of(user) in policy.MANAGERS else None,
            "start_date": next_working_day(today),
            "budget": opportunity.amount,
            "interactions": [note.pk for note in interactions],
            "attachments": [
                file.pk for file in attachments if file.content_type.model == "opportunity"
            ],
        }

    def stakeholder_rows(self) -> list[tuple[Contact, Any, Any]]:
        """(contact, include field, role field) for the template's table."""
        return [
            (contact, self[f"stakeholder_{contact.pk}"], self[f"role_{contact.pk}"])
            for contact in self.contacts
        ]

    def stakeholders(self) -> list[tuple[Contact, str]]:
        data = self.cleaned_data
        return [
            (contact, data[f"role_{contact.pk}"])
            for contact in self.contacts
            if data.get(f"stakeholder_{contact.pk}")
        ]


# ---- project templates: a line-based editor ----------------------------------------------------


def _cells(line: str, count: int) -> list[str]:
    cells = [cell.strip() for cell in line.split(SEPARATOR)]
    return cells + [""] * (count - len(cells))


def _choice(value: str, choices: Iterable[tuple[Any, Any]], default: Any) -> Any:
    """A choice by its code or its label, in any case (so "wecom", "WeCom" and 企业微信 work)."""
    if not value:
        return default
    for code, label in choices:
        if value.casefold() in {str(code).casefold(), str(label).casefold()}:
            return code
    raise ValueError(value)


def _level(value: str) -> int:
    if not value:
        return 3
    number = int(value)
    if not 1 <= number <= 5:
        raise ValueError(value)
    return number


def _parse_lines(text: str, parse: Callable[[str], Any]) -> list[Any]:
    """Parse each non-blank line; errors say which line and what it should look like."""
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(parse(line))
        except RuleError as error:
            errors.append(
                ValidationError(
                    _("Line %(number)s: the recurrence rule cannot be used: %(reason)s."),
                    params={"number": number, "reason": error},
                )
            )
        except (ValueError, IndexError):
            errors.append(
                ValidationError(
                    _("Line %(number)s cannot be read: “%(line)s”."),
                    params={"number": number, "line": line.strip()},
                )
            )
    if errors:
        raise ValidationError(errors)
    return rows


def parse_phases(text: str) -> tuple[PhaseSpec, ...]:
    """Phase lines, each followed by its task lines starting with "-":
    ``- name | working days | milestone``."""
    phases: list[tuple[str, list[TaskSpec]]] = []

    def parse(line: str) -> None:
        stripped = line.strip()
        if not stripped.startswith("-"):
            phases.append((stripped, []))
            return
        if not phases:
            raise ValueError(line)
        name, days, milestone = _cells(stripped.removeprefix("-"), 3)[:3]
        if milestone and milestone.casefold() not in MILESTONE_WORDS:
            raise ValueError(milestone)
        phases[-1][1].append(TaskSpec(name, int(days or 1), bool(milestone)))

    _parse_lines(text, parse)
    return tuple(PhaseSpec(name, tuple(tasks)) for name, tasks in phases)


def parse_communications(text: str) -> tuple[CommunicationSpec, ...]:
    """``what | audience | frequency | channel | type | recurrence rule``; the last three
    may be left out (e-mail, a custom message, once). RuleError for a rule that cannot be used."""

    def parse(line: str) -> CommunicationSpec:
        content, audience, frequency, channel, kind, rule = _cells(line, 6)[:6]
        if not (content and audience and frequency):
            raise ValueError(line)
        if rule:
            parse_rule(rule, timezone.localdate())
        return CommunicationSpec(
            content,
            audience,
            frequency,
            _choice(channel, Channel.choices, Channel.EMAIL),
            _choice(kind, CommunicationKind.choices, CommunicationKind.CUSTOM),
            rule,
        )

    return tuple(_parse_lines(text, parse))


def parse_risks(text: str) -> tuple[RiskSpec, ...]:
    def parse(line: str) -> RiskSpec:
        title, probability, impact, response = _cells(line, 4)[:4]
        if not title:
            raise ValueError(line)
        return RiskSpec(
            title,
            _level(probability),
            _level(impact),
            _choice(response, RiskResponse.choices, RiskResponse.MITIGATE),
        )

    return tuple(_parse_lines(text, parse))


def content_as_text(content: TemplateContent) -> dict[str, str]:
    """The editor's four text areas for stored content (the inverse of the parsers)."""
    phase_lines: list[str] = []
    for phase in content.phases:
        phase_lines.append(phase.name)
        for task in phase.tasks:
            cells = [task.name, str(task.duration_days)] + (
                ["milestone"] if task.is_milestone else []
            )
            phase_lines.append("- " + " | ".join(cells))
    return {
        "phases": "\n".join(phase_lines),
        "communications": "\n".join(_communication_line(c) for c in content.communications),
        "risks": "\n".join(
            " | ".join([r.title, str(r.probability), str(r.impact), r.response])
            for r in content.risks
        ),
        "checklist": "\n".join(content.checklist),
    }


def _communication_line(item: CommunicationSpec) -> str:
    """A communication row as an editor line; the type and rule only when they say more than
    the defaults (a custom message, once)."""
    cells = [item.content, item.audience, item.frequency, item.channel]
    if item.rule or item.kind != CommunicationKind.CUSTOM:
        cells.append(item.kind)
    if item.rule:
        cells.append(item.rule)
    return " | ".join(cells)


def _text_area(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "spellcheck": "false"}),
    )


class TemplateForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    is_default = forms.BooleanField(
        label=_("Default template for its language"),
        required=False,
        help_text=_("Used when a won deal converts automatically."),
    )
    phases = _text_area(
        _("Phases and tasks"),
        _(
            "One phase per line; below it its tasks, each starting with “-”: "
            "<code>- name | working days | milestone</code>."
        ),
    )
    communications = _text_area(
        _("Communication plan"),
        _(
            "One item per line: <code>what | audience | frequency | channel | type | "
            "recurrence rule</code>. Channel one of e-mail (the default), phone, WeChat, WeCom, "
            "DingTalk, Feishu, Slack; type one of status_report, meeting, milestone_notice, "
            "survey, custom (the default); the rule an iCalendar RRULE such as "
            "<code>FREQ=WEEKLY;BYDAY=FR</code> (every Friday), empty: once. Projects get these "
            "items switched off, to be given recipients and switched on."
        ),
    )
    risks = _text_area(
        _("Risk checklist"),
        _(
            "One risk per line: <code>risk | probability 1-5 | impact 1-5 | response</code>, "
            "response one of avoid, mitigate, transfer, accept."
        ),
    )
    checklist = _text_area(_("Kickoff checklist"), _("One step per line."))

    def clean_phases(self) -> tuple[PhaseSpec, ...]:
        return parse_phases(self.cleaned_data["phases"])

    def clean_communications(self) -> tuple[CommunicationSpec, ...]:
        return parse_communications(self.cleaned_data["communications"])

    def clean_risks(self) -> tuple[RiskSpec, ...]:
        return parse_risks(self.cleaned_data["risks"])

    def clean_checklist(self) -> tuple[str, ...]:
        lines = self.cleaned_data["checklist"].splitlines()
        return tuple(line.strip() for line in lines if line.strip())

    def content(self) -> TemplateContent:
        data = self.cleaned_data
        return TemplateContent(
            phases=data["phases"],
            communications=data["communications"],
            risks=data["risks"],
            checklist=data["checklist"],
        )

    def fields_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("name", "description", "language", "is_default")
        }


class TemplateEditForm(TemplateForm, VersionedForm):
    """The template form plus the version it was loaded at (stale edits are refused)."""
