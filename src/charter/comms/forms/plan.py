"""Communication plan forms: a plan item (with its recurrence chosen from presets or written
as an RRULE) and the words of one occurrence.

The presets are shorthands for a rule and a day-off handling; ``clean`` turns the chosen one
into ``rule`` and ``shift`` as the services take them, and ``preset_of`` recognises a stored
rule again when the item is edited."""

import datetime
from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.comms.meetings import team
from charter.comms.models import (
    ChatRobot,
    CommunicationItem,
    CommunicationKind,
    MessageTemplate,
    ShiftChoice,
)
from charter.comms.plan import ITEM_FIELDS, ROBOT_CHANNELS
from charter.core.forms import StyledForm, VersionedForm
from charter.crm.forms_pipeline import DATE
from charter.crm.models import Contact
from charter.discovery.models import Campaign
from charter.planning.models import Project

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

ONCE, WORKING_DAYS, WEEKLY, BIWEEKLY, MONTHLY_LAST, CUSTOM = (
    "once",
    "working_days",
    "weekly",
    "biweekly",
    "monthly_last",
    "custom",
)
# Presets that decide the day-off handling themselves (the others take the form's ``shift``).
PRESET_SHIFTS = {WORKING_DAYS: ShiftChoice.SKIP, MONTHLY_LAST: ShiftChoice.PREVIOUS}
# The fields the form edits: the services' ITEM_FIELDS but the plan order.
FORM_FIELDS = tuple(name for name in ITEM_FIELDS if name != "order")


def _normal(rule: str) -> str:
    return "".join(rule.split()).upper().removeprefix("RRULE:")


def rule_for(preset: str, starts_on: datetime.date, custom: str, shift: str) -> tuple[str, str]:
    """The ``(rule, shift)`` a preset stands for, its weekly days taken from ``starts_on``."""
    weekday = WEEKDAYS[starts_on.weekday()]
    rules = {
        ONCE: "",
        WORKING_DAYS: "FREQ=DAILY",
        WEEKLY: f"FREQ=WEEKLY;BYDAY={weekday}",
        BIWEEKLY: f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}",
        MONTHLY_LAST: "FREQ=MONTHLY;BYMONTHDAY=-1",
    }
    if preset == CUSTOM:
        return custom.strip(), shift
    return rules[preset], PRESET_SHIFTS.get(preset, shift)


def preset_of(rule: str, starts_on: datetime.date | None, shift: str) -> str:
    """The preset a stored rule and shift are, else CUSTOM."""
    if not rule.strip():
        return ONCE
    if starts_on is None:
        return CUSTOM
    for preset in (WORKING_DAYS, WEEKLY, BIWEEKLY, MONTHLY_LAST):
        preset_rule, preset_shift = rule_for(preset, starts_on, "", shift)
        if _normal(rule) == preset_rule and shift == preset_shift:
            return preset
    return CUSTOM


def preset_words(preset: str, starts_on: datetime.date | None) -> str:
    """How people say a preset (the frequency in words when none is written)."""
    weekday = formats.date_format(starts_on, "l") if starts_on else ""
    words = {
        ONCE: _("Once"),
        WORKING_DAYS: _("Every working day"),
        WEEKLY: _("Weekly on %(weekday)s") % {"weekday": weekday}
        if weekday
        else _("Weekly, on the first date's weekday"),
        BIWEEKLY: _("Every 2 weeks on %(weekday)s") % {"weekday": weekday}
        if weekday
        else _("Every 2 weeks, on the first date's weekday"),
        MONTHLY_LAST: _("Monthly on the last working day"),
        CUSTOM: _("Custom rule (RRULE)"),
    }
    return str(words[preset])


class TemplateSelect(forms.Select):
    """Options carry their template's type, so the page can offer only the chosen type's."""

    kinds: dict[str, str] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        key = str(getattr(value, "value", value) or "")
        if key in self.kinds:
            option["attrs"]["data-kind"] = self.kinds[key]
        return option


def _field(name: str, **overrides: Any) -> forms.Field:
    """The model field's form field (its label, choices and help), with ``overrides``."""
    model_field = cast(models.Field, CommunicationItem._meta.get_field(name))
    return cast(forms.Field, model_field.formfield(**overrides))


class CommunicationItemForm(StyledForm, forms.Form):
    kind = _field("kind")
    content = _field("content", help_text=_("What is sent, e.g. “周报：进度与风险”."))
    template = forms.ModelChoiceField(
        label=_("Message template"),
        queryset=MessageTemplate.objects.none(),
        required=False,
        widget=TemplateSelect,
        empty_label=_("The default template of the type"),
        help_text=_("The words sent, with variables filled in from the project."),
    )
    channel = _field("channel")
    robot = forms.ModelChoiceField(
        label=_("Chat robot"),
        queryset=ChatRobot.objects.none(),
        required=False,
        help_text=_("The group chat a WeCom, DingTalk, Feishu or Slack item posts to."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Questionnaire campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("A survey item sends this campaign, then reminds those who have not answered."),
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Client contacts"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("Contacts of the client; e-mails go to those with an address."),
    )
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Colleagues"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The project manager and team members who get it too."),
    )
    audience = _field(
        "audience", help_text=_("Who it is for in words, e.g. “客户高层” (optional).")
    )
    preset = forms.ChoiceField(label=_("Repeats"), choices=())
    rule = _field(
        "rule",
        label=_("Custom rule (RRULE)"),
        help_text=_(
            "An iCalendar RRULE such as FREQ=WEEKLY;BYDAY=MO,TH (Mondays and Thursdays) or "
            "FREQ=MONTHLY;BYDAY=1MO (the first Monday of each month)."
        ),
    )
    frequency = _field(
        "frequency", help_text=_("How people say it; empty: the chosen preset's words.")
    )
    starts_on = _field("starts_on", widget=DATE, show_hidden_initial=False)
    ends_on = _field("ends_on", widget=DATE, help_text=_("Empty: until the item is removed."))
    send_time = _field("send_time", widget=TIME)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    shift = _field(
        "shift",
        help_text=_(
            "When a date falls on a day off of the project calendar. “Every working day” "
            "skips days off and “Monthly on the last working day” moves to the day before."
        ),
    )
    meeting_minutes = _field("meeting_minutes")
    location = _field("location")
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Gets the reminders and hears when an occurrence is missed."),
    )
    is_active = _field("is_active")
    client_visible = _field("client_visible")
    essential = _field("essential")

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        from charter.comms.forms.meetings import TIME_ZONES

        super().__init__(*args, **kwargs)
        self.project = project
        fields: dict[str, Any] = self.fields
        templates = MessageTemplate.objects.order_by("kind", "name", "pk")
        fields["template"].queryset = templates
        fields["template"].label_from_instance = lambda t: (
            f"{CommunicationKind(t.kind).label} · {t.name}"
        )
        fields["template"].widget.kinds = {str(t.pk): t.kind for t in templates}
        fields["robot"].queryset = ChatRobot.objects.filter(
            Q(project=project) | Q(client_id=project.client_id)
        ).order_by("name", "pk")
        fields["campaign"].queryset = Campaign.objects.filter(project=project).order_by("-pk")
        fields["contacts"].queryset = Contact.objects.filter(client_id=project.client_id).order_by(
            "name", "pk"
        )
        fields["colleagues"].queryset = team(project)
        fields["owner"].queryset = team(project)
        fields["time_zone"].choices = [(zone, zone) for zone in TIME_ZONES]
        starts_on = self._starts_on()
        fields["preset"].choices = [
            (preset, preset_words(preset, starts_on))
            for preset in (ONCE, WORKING_DAYS, WEEKLY, BIWEEKLY, MONTHLY_LAST, CUSTOM)
        ]

    def _starts_on(self) -> datetime.date | None:
        value = self.data.get("starts_on") if self.is_bound else self.initial.get("starts_on")
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preset, starts_on = data.get("preset"), data.get("starts_on")
        if preset == CUSTOM and not (data.get("rule") or "").strip():
            self.add_error("rule", _("Write the rule, or choose one of the presets."))
        if preset and starts_on and "rule" not in self.errors:
            data["rule"], data["shift"] = rule_for(
                preset, starts_on, data.get("rule") or "", data.get("shift") or ShiftChoice.NEXT
            )
            if not (data.get("frequency") or "").strip() and preset != CUSTOM:
                data["frequency"] = preset_words(preset, starts_on)
        if data.get("channel") not in ROBOT_CHANNELS:
            data["robot"] = None
        if data.get("kind") != CommunicationKind.SURVEY:
            data["campaign"] = None
        return data

    def item_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FORM_FIELDS}

    def people(self) -> dict[str, Any]:
        return {name: list(self.cleaned_data[name]) for name in ("contacts", "colleagues")}

    @staticmethod
    def initial_of(item: CommunicationItem) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(item, name) for name in FORM_FIELDS}
        initial["preset"] = preset_of(item.rule, item.starts_on, item.shift)
        initial["contacts"] = list(item.contacts.all())
        initial["colleagues"] = list(item.colleagues.all())
        initial["version"] = item.version
        return initial


class CommunicationItemEditForm(CommunicationItemForm, VersionedForm):
    """The item form carrying the version it was loaded at (a stale save is refused)."""


class OccurrenceWordsForm(StyledForm, forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        help_text=_("Left empty or as the template's, the template's subject is sent."),
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_(
            "Left empty or as the template's, the template's text is sent. Variables in "
            "{{ braces }} are filled in for each recipient."
        ),
    )
