"""Forms of the resource pool and of a task's assignments. Units are entered as percentages
(100 = one person full time) and work in hours; the services take units (1 = 100%) and
working minutes."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.choices import Currency
from charter.planning.forms import colleagues
from charter.planning.models import Calendar, Task
from charter.resources.choices import ResourceKind
from charter.resources.models import Assignment, Resource, Role
from charter.resources.services.pool import MINUTES_PER_HOUR, assignable_resources

HUNDRED = Decimal(100)


def percent_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_value=100_000, max_digits=8, decimal_places=0, **kwargs
    )


def hours_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Work (hours)"), min_value=0, max_digits=9, decimal_places=2, **kwargs
    )


def units_of(percent: Decimal) -> Decimal:
    return percent / HUNDRED


def minutes_of(hours: Decimal | None) -> int | None:
    if hours is None:
        return None
    return int((hours * MINUTES_PER_HOUR).to_integral_value())


def hours_of(minutes: int) -> Decimal:
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.01")).normalize()


def percent_of(units: Decimal) -> Decimal:
    return (units * HUNDRED).quantize(Decimal(1))


class ResourceForm(StyledForm, forms.Form):
    name = forms.CharField(label=pgettext_lazy("resource", "Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=ResourceKind.choices)
    user = forms.ModelChoiceField(
        label=_("Colleague"),
        queryset=colleagues(),
        required=False,
        help_text=_("When the resource is a person who uses Charter."),
    )
    initials = forms.CharField(label=_("Initials"), max_length=16, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    max_units = percent_field(
        _("Max units (%)"),
        initial=100,
        help_text=_(
            "100 is one full-time person; 200 is two of them. Equipment: the quantity owned "
            "(3 cranes: 300)."
        ),
    )
    standard_rate = forms.DecimalField(
        label=_("Standard rate"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("Per hour for people and equipment; per unit for material."),
    )
    cost_per_use = forms.DecimalField(
        label=_("Cost per use"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0.00"),
        required=False,
        help_text=_("Charged once per assignment, e.g. for equipment and material."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="CNY")
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=Role.objects.order_by("name", "pk"),
        required=False,
        help_text=_("What the person does; task needs ask for roles."),
    )
    is_placeholder = forms.BooleanField(
        label=_("Generic resource"),
        required=False,
        help_text=_(
            "Stands for people not yet named, e.g. “Senior backend engineer” at 200%; "
            "replace it with a person later. Not a colleague."
        ),
    )
    calendar = forms.ModelChoiceField(
        label=_("Resource calendar"),
        queryset=Calendar.objects.filter(project__isnull=True),
        required=False,
        empty_label=_("The project calendar"),
        help_text=_("When the resource works, e.g. a night shift."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (max units as 1 = 100%)."""
        fields = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        fields["max_units"] = units_of(fields["max_units"])
        if fields.get("cost_per_use") is None:
            fields["cost_per_use"] = Decimal("0.00")  # empty: none
        return fields

    @classmethod
    def initial_of(cls, resource: Resource) -> dict[str, Any]:
        return {
            "name": resource.name,
            "kind": resource.kind,
            "user": resource.user_id,
            "initials": resource.initials,
            "email": resource.email,
            "max_units": percent_of(resource.max_units),
            "standard_rate": resource.standard_rate,
            "cost_per_use": resource.cost_per_use,
            "currency": resource.currency,
            "calendar": resource.calendar_id,
            "is_active": resource.is_active,
            "role": resource.role_id,
            "is_placeholder": resource.is_placeholder,
            "version": resource.version,
        }


class ResourceEditForm(ResourceForm, VersionedForm):
    """The resource form carrying the version it was loaded at (a stale save is refused)."""


ACTIVE_CHOICES = [("", _("Active or not")), ("yes", _("Active")), ("no", _("Inactive"))]
PLACEHOLDER_CHOICES = [("", _("Generic or named")), ("yes", _("Generic")), ("no", _("Named"))]
YES_NO = {"yes": True, "no": False}


class ResourceFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", _("Any type")), *ResourceKind.choices])
    active = forms.ChoiceField(required=False, choices=ACTIVE_CHOICES)
    role = forms.ModelChoiceField(
        required=False, queryset=Role.objects.order_by("name", "pk"), empty_label=_("Any role")
    )
    placeholder = forms.ChoiceField(required=False, choices=PLACEHOLDER_CHOICES)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data["q"],
            "kind": self.cleaned_data["kind"],
            "active": YES_NO.get(self.cleaned_data["active"]),
            "role": self.cleaned_data["role"],
            "placeholder": YES_NO.get(self.cleaned_data["placeholder"]),
        }


class AssignForm(StyledForm, forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    units = percent_field(_("Units (%)"), initial=100)
    work = hours_field(required=False, help_text=_("Empty: the task's duration at these units."))

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = assignable_resources(task)  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        return {
            "units": units_of(self.cleaned_data["units"]),
            "work": minutes_of(self.cleaned_data["work"]),
        }


class AssignmentForm(StyledForm, VersionedForm):
    """One assignment's units and work, edited in its row on the task page."""

    units = percent_field(_("Units (%)"))
    work = hours_field()

    @classmethod
    def for_assignment(cls, assignment: Assignment, data: Any = None) -> "AssignmentForm":
        initial = {
            "units": percent_of(assignment.units),
            "work": hours_of(assignment.work),
            "version": assignment.version,
        }
        return cls(data, initial=initial)

    def service_fields(self) -> dict[str, Any]:
        return {
            "units": units_of(self.cleaned_data["units"]),
            "work": minutes_of(self.cleaned_data["work"]),
        }
