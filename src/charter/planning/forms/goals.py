"""Forms of a project's measurable goals and scope statements."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.discovery.models import Requirement
from charter.planning.forms.projects import DateInput
from charter.planning.models import Goal, Project, ScopeItem
from charter.planning.services.goals import GOAL_FIELDS, SCOPE_FIELDS


class GoalForm(StyledForm, forms.Form):
    title = forms.CharField(
        label=_("Goal"),
        max_length=200,
        help_text=_("What should be better, for example “月结天数”."),
    )
    baseline_value = forms.DecimalField(
        label=_("Today's value"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Where it stands before the project."),
    )
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    unit = forms.CharField(
        label=_("Unit"), max_length=40, help_text=_("For example %, days, orders/day")
    )
    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    requirements = forms.ModelMultipleChoiceField(
        label=_("Requirements"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The requirements of this project that serve the goal."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requirements = Requirement.objects.filter(project=project).order_by("number")
        cast(forms.ModelMultipleChoiceField, self.fields["requirements"]).queryset = requirements

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: self.cleaned_data[name] for name in (*GOAL_FIELDS, "requirements")}


class GoalEditForm(GoalForm, VersionedForm):
    """The goal form carrying the version it was loaded at (a stale save is refused)."""

    @classmethod
    def for_goal(cls, goal: Goal, data: Any = None) -> "GoalEditForm":
        initial = {name: getattr(goal, name) for name in (*GOAL_FIELDS, "version")}
        initial["requirements"] = list(goal.requirements.all())
        return cls(data, initial=initial, project=goal.project)


def _is_in_scope(value: str) -> bool:
    return value == "True"


class ScopeItemForm(StyledForm, forms.Form):
    text = forms.CharField(
        label=_("Statement"),
        max_length=300,
        help_text=_("One thing the project delivers, or explicitly does not."),
    )
    in_scope = forms.TypedChoiceField(
        label=_("In or out of scope"),
        choices=[(True, _("In scope")), (False, _("Out of scope"))],
        coerce=_is_in_scope,
        initial=True,
    )

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SCOPE_FIELDS}


class ScopeItemEditForm(ScopeItemForm, VersionedForm):
    """The scope form carrying the version it was loaded at (a stale save is refused)."""

    @classmethod
    def for_item(cls, item: ScopeItem, data: Any = None) -> "ScopeItemEditForm":
        initial = {name: getattr(item, name) for name in (*SCOPE_FIELDS, "version")}
        return cls(data, initial=initial)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])

    @property
    def step(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1
