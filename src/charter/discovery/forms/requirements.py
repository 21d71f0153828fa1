from typing import Any, cast

from django import forms
from django.http import QueryDict
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


KEEP = ("", _("Keep as it is"))


class BulkEditForm(StyledForm, forms.Form):
    """The "with selected" bar of the register: the rows come as ``selected`` ids, each with a
    ``version_<id>`` field holding the version the list showed; blank choices keep a field."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[KEEP, *RequirementStatus.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[KEEP, *Priority.choices], required=False
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=[KEEP, *RequirementType.choices], required=False
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    client_visible = forms.ChoiceField(
        label=_("Visible to the client"),
        choices=[KEEP, ("yes", _("Visible to the client")), ("no", _("Internal only"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in colleagues()}
        owner = cast(forms.ChoiceField, self.fields["owner"])
        owner.choices = [
            KEEP,
            ("none", _("No owner")),
            *((pk, str(user)) for pk, user in self.people.items()),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.versions():
            raise forms.ValidationError(_("Select at least one requirement."), code="empty")
        if not self.changes():
            raise forms.ValidationError(_("Choose at least one thing to change."), code="none")
        return cleaned

    def versions(self) -> dict[int, int]:
        """``{id: version}`` of the ticked rows; rows without a readable version are left out."""
        versions = {}
        data = cast(QueryDict, self.data)
        for raw in data.getlist("selected"):
            version = data.get(f"version_{raw}", "")
            if raw.isdigit() and version.isdigit():
                versions[int(raw)] = int(version)
        return versions

    def changes(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        changes: dict[str, Any] = {
            name: data[name] for name in ("status", "priority", "type") if data.get(name)
        }
        if data.get("owner"):
            changes["owner"] = self.people.get(data["owner"])
        if data.get("client_visible"):
            changes["client_visible"] = data["client_visible"] == "yes"
        return changes


class RequirementImportForm(StyledForm, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GB18030) or XLSX, headings in the first row, in English or Chinese. "
            "Rows with a Code update that requirement; rows without one are added."
        ),
    )


class CommentForm(StyledForm, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment first.")},
    )


class RequirementTasksForm(StyledForm, forms.Form):
    """The plan tasks of the requirement's project, grouped by their summary task."""

    tasks = forms.TypedMultipleChoiceField(
        label=_("Tasks"),
        coerce=int,
        required=False,
        help_text=_("The plan tasks that deliver this requirement. Hold Ctrl or ⌘ to pick more."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, project_tasks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[int, str]]] = {}
        for task in project_tasks:
            group = str(task.parent) if task.parent_id else str(_("Top level"))
            groups.setdefault(group, []).append((task.pk, str(task)))
        cast(forms.ChoiceField, self.fields["tasks"]).choices = list(groups.items())
