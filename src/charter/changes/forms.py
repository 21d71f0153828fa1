"""Forms of change requests: raise or edit one (the edit form carries the version), decide it,
mark it implemented, and the register's filters. The forms only validate input; the services
(charter.changes.services) write."""

from typing import Any, ClassVar

from django import forms
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.changes.choices import ChangeStatus
from charter.changes.models import ChangeRequest
from charter.changes.services import DECISIONS, FIELDS
from charter.core.forms import StyledForm, VersionedForm
from charter.crm.models import Contact
from charter.discovery.models import Requirement
from charter.planning.forms.projects import DateInput
from charter.planning.models import Project


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ChangeRequestForm(StyledForm, forms.ModelForm):
    """Who asked is a contact of the project's client; the requirements are the project's."""

    class Meta:
        model = ChangeRequest
        fields = (*FIELDS, "requirements")
        widgets: ClassVar[dict[str, Any]] = {
            "description": _text(4),
            "reason": _text(3),
            "requested_on": DateInput(),
            "requirements": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts: ClassVar[dict[str, Any]] = {
            "requirements": _(
                "The requirements the change adds to, alters or removes. Hold Ctrl or ⌘ to "
                "pick more."
            ),
            "client_visible": _(
                "Listed, with its status and decision note, on the client's view of the plan."
            ),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["requested_by"].queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            client_id=project.client_id
        )
        self.fields["requirements"].queryset = Requirement.objects.filter(  # type: ignore[attr-defined]
            project=project
        )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        fields = {name: self.cleaned_data[name] for name in FIELDS}
        fields["requirements"] = list(self.cleaned_data["requirements"])
        return fields

    @classmethod
    def new(cls, project: Project, data: Any = None) -> "ChangeRequestForm":
        return cls(data, project=project, initial={"requested_on": timezone.localdate()})


class ChangeRequestEditForm(ChangeRequestForm, VersionedForm):
    """The change request form carrying the version it was loaded at (a stale save is
    refused)."""

    @classmethod
    def of(cls, change: ChangeRequest, data: Any = None) -> "ChangeRequestEditForm":
        """Filled with ``change`` as saved (the form edits a copy, never ``change``)."""
        initial = {**model_to_dict(change, fields=cls._meta.fields), "version": change.version}
        return cls(data, project=change.project, initial=initial)


# The label of each decision the form takes.
VERBS = {
    ChangeStatus.APPROVED: pgettext_lazy("change request", "Approve"),
    ChangeStatus.REJECTED: pgettext_lazy("change request", "Reject"),
}


class DecideForm(StyledForm, VersionedForm):
    """Approve or reject a proposed change request, with a note."""

    status = forms.ChoiceField(
        label=_("Decision"), choices=[(status, VERBS[status]) for status in DECISIONS]
    )
    note = forms.CharField(
        label=_("Decision note"),
        required=False,
        widget=_text(3),
        help_text=_("Who agreed, on what terms, or why it was turned down."),
    )


class ImplementedForm(VersionedForm):
    """Mark an approved change request implemented."""


class ChangeFilterForm(forms.Form):
    """The register's filters: a status and a search in code, title and description."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *ChangeStatus.choices], required=False
    )

    def filters(self) -> dict[str, str]:
        """The valid filters that were given (an invalid one is ignored, not an error page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value.strip() for name, value in data.items() if (value or "").strip()}
