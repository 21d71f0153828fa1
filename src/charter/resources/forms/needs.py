"""Forms of roles and skills, a resource's skills and rates, a task's needs, assigning from a
need, replacing a generic resource and the Needs tab's window."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.choices import Currency
from charter.resources.choices import ResourceKind
from charter.resources.models import Resource, Role, Skill
from charter.resources.utilisation import DEFAULT_WEEKS, MAX_WEEKS

LEVEL_CHOICES = [(n, str(n)) for n in range(1, 6)]
LEVEL_HELP = _("1 (beginner) to 5 (expert).")


def _level(label: Any, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=LEVEL_CHOICES, coerce=int, help_text=LEVEL_HELP, **kwargs
    )


class RoleForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoleEditForm(RoleForm, VersionedForm):
    """A role's name and description, with the version the editor saw."""


class SkillForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class SkillEditForm(SkillForm, VersionedForm):
    """A skill's name, with the version the editor saw."""


class ResourceSkillForm(StyledForm, forms.Form):
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.order_by("name"))
    level = _level(_("Level"), initial=3)


class ResourceSkillEditForm(StyledForm, VersionedForm):
    level = _level(_("Level"))


class RateChangeForm(StyledForm, forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    cost_rate = forms.DecimalField(
        label=_("Cost rate"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Per hour for people and equipment; per unit for material."),
    )
    bill_rate = forms.DecimalField(
        label=_("Bill rate"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)


class NeedForm(StyledForm, forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.order_by("name"))
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.order_by("name"), required=False
    )
    min_level = _level(_("Minimum level"), initial=1)
    quantity = forms.IntegerField(
        label=_("People"), min_value=1, max_value=999, initial=1, help_text=_("How many.")
    )
    effort_hours = forms.DecimalField(
        label=_("Effort (hours)"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=_("The work all of them put in."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class AssignFromNeedForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("Resource"),
        queryset=Resource.objects.filter(is_active=True, kind=ResourceKind.WORK),
    )


class ReplaceForm(StyledForm, VersionedForm):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Resource.objects.filter(
            is_active=True, is_placeholder=False, kind=ResourceKind.WORK
        ),
    )


class WindowForm(StyledForm, forms.Form):
    start = forms.DateField(
        label=_("From the week of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    weeks = forms.IntegerField(
        label=_("Weeks"), min_value=1, max_value=MAX_WEEKS, required=False, initial=DEFAULT_WEEKS
    )

    def window(self, default: datetime.date) -> tuple[datetime.date, int]:
        if not self.is_valid():
            return default, DEFAULT_WEEKS
        return (
            self.cleaned_data["start"] or default,
            self.cleaned_data["weeks"] or DEFAULT_WEEKS,
        )
