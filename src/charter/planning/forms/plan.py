"""Forms of the plan: a task, a quick new task, a link, a baseline, the plan's view options."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.planning.adapters import local_zone
from charter.planning.choices import DependencyType, TaskConstraint
from charter.planning.forms.projects import DateInput
from charter.planning.models import BASELINE_SLOTS, MINUTES_PER_DAY, Calendar, Project, Task
from charter.planning.models.tasks import days_of
from charter.planning.services.baselines import slot_name

FINISH_CONSTRAINTS = {"FNET", "FNLT", "MFO"}
ZOOMS = [
    ("day", _("Days")),
    ("week", _("Weeks")),
    ("month", _("Months")),
    ("quarter", _("Quarters")),
]


def start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=local_zone())


def end_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=local_zone())


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return None if moment is None else moment.astimezone(local_zone()).date()


def days_to_minutes(days: Decimal) -> int:
    return int((days * MINUTES_PER_DAY).to_integral_value())


def minutes_to_days(minutes: int) -> Decimal:
    """Working days, without trailing zeros (2, 2.5, 10 — never 1E+1)."""
    return days_of(minutes)


def duration_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Duration (working days)"),
        min_value=Decimal("0"),
        max_value=Decimal("9999"),
        decimal_places=2,
        **kwargs,
    )


def lag_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Lag (working days)"),
        initial=Decimal("0"),
        min_value=Decimal("-999"),
        max_value=Decimal("999"),
        decimal_places=2,
        help_text=_("Negative for a lead: the successor may start that much earlier."),
    )


def team_choices(project: Project) -> Any:
    ids = {project.manager_id, *project.members.values_list("pk", flat=True)}
    return project.members.model.objects.filter(pk__in=ids).order_by("display_name", "username")


class TaskForm(StyledForm, VersionedForm):
    """Every editable field of a task. Dates are whole days in the site's time zone: a start
    (or start constraint) at the beginning of the day, a finish at its end."""

    name = forms.CharField(label=_("Task"), max_length=200)
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)
    duration_days = duration_field()
    effort_hours = forms.DecimalField(
        label=_("Effort (hours)"), min_value=Decimal("0"), decimal_places=2, required=False
    )
    priority = forms.IntegerField(label=_("Priority"), min_value=1, max_value=1000, initial=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)  # type: ignore[arg-type]
    percent_complete = forms.IntegerField(
        # xgettext:no-python-format
        label=_("% complete"),
        min_value=0,
        max_value=100,
        initial=0,
    )
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DateInput())
    actual_finish = forms.DateField(label=_("Actual finish"), required=False, widget=DateInput())
    constraint_type = forms.ChoiceField(
        label=_("Constraint"), choices=TaskConstraint.choices, initial=TaskConstraint.ASAP
    )
    constraint_date = forms.DateField(
        label=_("Constraint date"), required=False, widget=DateInput()
    )
    calendar = forms.ModelChoiceField(
        label=_("Task calendar"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("The project calendar"),
    )
    deliverable = forms.CharField(label=_("Deliverable"), max_length=200, required=False)
    cost = forms.DecimalField(
        label=_("Fixed cost"), min_value=Decimal("0"), decimal_places=2, initial=Decimal("0")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_visible = forms.BooleanField(
        label=_("Visible to the client"), required=False, help_text=_("Shown in the client portal.")
    )

    ROLLED_UP = (
        "duration_days",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "is_milestone",
    )

    def __init__(self, *args: Any, project: Project, summary: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.ROLLED_UP if summary else ():
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Rolls up from the tasks under it.")
        self.fields["owner"].queryset = team_choices(project)  # type: ignore[attr-defined]
        self.fields["calendar"].queryset = Calendar.objects.filter(  # type: ignore[attr-defined]
            Q(project__isnull=True) | Q(project=project)
        )

    @classmethod
    def initial_of(cls, task: Task) -> dict[str, Any]:
        return {
            "version": task.version,
            "name": task.name,
            "is_milestone": task.is_milestone,
            "duration_days": minutes_to_days(task.duration),
            "effort_hours": task.effort_hours,
            "priority": task.priority,
            "owner": task.owner_id,
            "percent_complete": task.percent_complete,
            "actual_start": local_day(task.actual_start),
            "actual_finish": local_day(task.actual_finish),
            "constraint_type": task.constraint_type,
            "constraint_date": local_day(task.constraint_date),
            "calendar": task.calendar_id,
            "deliverable": task.deliverable,
            "cost": task.cost,
            "notes": task.notes,
            "client_visible": task.client_visible,
        }

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as ``services.plan`` takes it."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["duration"] = days_to_minutes(data.pop("duration_days"))
        data["effort_hours"] = data.get("effort_hours")
        day = data.get("constraint_date")
        finish_kind = data.get("constraint_type") in FINISH_CONSTRAINTS
        data["constraint_date"] = day and (end_of_day(day) if finish_kind else start_of_day(day))
        data["actual_start"] = data.get("actual_start") and start_of_day(data["actual_start"])
        data["actual_finish"] = data.get("actual_finish") and end_of_day(data["actual_finish"])
        return data


class ProgressForm(StyledForm, VersionedForm):
    """What a team member reports on a task."""

    percent_complete = TaskForm.base_fields["percent_complete"]
    actual_start = TaskForm.base_fields["actual_start"]
    actual_finish = TaskForm.base_fields["actual_finish"]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "percent_complete": data["percent_complete"],
            "actual_start": data.get("actual_start") and start_of_day(data["actual_start"]),
            "actual_finish": data.get("actual_finish") and end_of_day(data["actual_finish"]),
        }


class NewTaskForm(StyledForm, forms.Form):
    """The quick line under the task table: a name, a duration, where it goes."""

    name = forms.CharField(label=_("New task"), max_length=200)
    duration_days = duration_field(initial=Decimal("1"))
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)
    parent = forms.ModelChoiceField(
        label=_("Under"),
        queryset=Task.objects.none(),
        required=False,
        empty_label=_("Top level"),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The summary tasks; a task goes under any other task by indenting it.
        self.fields["parent"].queryset = Task.objects.filter(  # type: ignore[attr-defined]
            project=project, is_summary=True
        ).order_by("position")

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "duration": days_to_minutes(data["duration_days"]),
            "is_milestone": data["is_milestone"],
        }


class LinkForm(StyledForm, forms.Form):
    predecessor = forms.ModelChoiceField(label=_("Predecessor"), queryset=Task.objects.none())
    type = forms.ChoiceField(label=_("Type"), choices=DependencyType.choices, initial="FS")
    lag_days = lag_field()

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = (  # type: ignore[attr-defined]
            Task.objects.filter(project=task.project_id).exclude(pk=task.pk).order_by("position")
        )


class BaselineForm(StyledForm, forms.Form):
    number = forms.TypedChoiceField(
        label=_("Baseline"),
        coerce=int,
        choices=[(n, n) for n in range(BASELINE_SLOTS)],
    )
    name = forms.CharField(label=_("Baseline name"), max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [(n, slot_name(n)) for n in range(BASELINE_SLOTS)]  # type: ignore[attr-defined]


class PlanViewForm(forms.Form):
    """What the plan page shows: page, zoom, the baseline drawn under the bars, collapsed
    summaries. Bad values fall back to the defaults rather than failing the page."""

    page = forms.IntegerField(min_value=1, required=False)
    zoom = forms.ChoiceField(choices=ZOOMS, required=False)
    baseline = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, n) for n in range(BASELINE_SLOTS)],
        required=False,
        empty_value=None,
    )
    collapsed = forms.CharField(required=False)

    def value(self, name: str, default: Any) -> Any:
        if not self.is_valid() and name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def collapsed_ids(self) -> set[int]:
        text = self.value("collapsed", "")
        return {int(part) for part in text.split(",") if part.strip().isdigit()}
