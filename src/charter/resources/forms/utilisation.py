"""The utilisation map's window and filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.planning.models import Project
from charter.resources import utilisation as services
from charter.resources.choices import ResourceKind

BY_ROLE = "role"


class UtilisationFilterForm(forms.Form):
    """The window and filters; an invalid value is reported and its default used instead."""

    start = forms.DateField(label=_("From the week of"), required=False)
    weeks = forms.IntegerField(
        label=_("Weeks"), required=False, min_value=1, max_value=services.MAX_WEEKS
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("All projects"),
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *ResourceKind.choices]
    )
    over = forms.BooleanField(label=_("Only over-allocated"), required=False)
    by = forms.ChoiceField(
        label=_("Show by"),
        required=False,
        choices=[("", _("By resource")), (BY_ROLE, _("By role"))],
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        data = data.copy()
        if "kind" not in data:
            data["kind"] = ResourceKind.WORK  # work resources unless asked otherwise
        super().__init__(data)
        projects = Project.objects.for_user(user).order_by("code", "pk")
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]

    def value(self, name: str, default: Any = None) -> Any:
        """The cleaned value of ``name``; ``default`` when it is empty or invalid."""
        self.is_valid()
        cleaned = self.cleaned_data.get(name)
        return default if cleaned in (None, "") else cleaned
