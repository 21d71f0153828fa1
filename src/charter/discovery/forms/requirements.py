from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.forms import StyledForm, VersionedForm
from charter.discovery.choices import Priority, RequirementStatus, RequirementType
from charter.discovery.filtersets import SORTS
from charter.discovery.models import Requirement
from charter.discovery.services import EDITABLE_FIELDS
from charter.planning.forms import colleagues

SCORES = [(i, str(i)) for i in range(1, 6)]


class RequirementForm(StyledForm, forms.Form):
    title = forms.CharField(label=pgettext_lazy("requirement", "Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=RequirementType.choices)
    priority = forms.ChoiceField(label=_("Priority (MoSCoW)"), choices=Priority.choices)
    value = forms.TypedChoiceField(label=_("Value"), choices=SCORES, coerce=int, initial=3)
    effort = forms.TypedChoiceField(label=_("Effort"), choices=SCORES, coerce=int, initial=3)
    latent_need = forms.BooleanField(
        label=_("Latent need"),
        required=False,
        help_text=_("A need the client did not say out loud."),
    )
    latent_evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for a latent need: what shows it."),
    )
    acceptance_criteria = forms.CharField(
        label=_("Acceptance criteria"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=RequirementStatus.choices, initial=RequirementStatus.PROPOSED
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=colleagues(), required=False)
    client_visible = forms.BooleanField(label=_("Visible to the client"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = colleagues()


class RequirementEditForm(RequirementForm, VersionedForm):
    @classmethod
    def for_requirement(cls, requirement: Requirement, data: Any = None) -> "RequirementEditForm":
        initial = {name: getattr(requirement, name) for name in (*EDITABLE_FIELDS, "version")}
        return cls(data, initial=initial)


class RequirementFilterForm(forms.Form):
    q = forms.CharField(required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *RequirementType.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("All priorities")), *Priority.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *RequirementStatus.choices],
        required=False,
    )
    latent = forms.TypedChoiceField(
        label=_("Latent need"),
        choices=[
            ("", _("Latent or not")),
            ("true", _("Latent needs")),
            ("false", _("Stated needs")),
        ],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=colleagues(), required=False, empty_label=_("All owners")
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[(key, label) for key, (_order, label) in SORTS.items()],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = colleagues()

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}
