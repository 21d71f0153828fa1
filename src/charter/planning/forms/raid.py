"""Forms of the RAID log: one per kind of entry (its edit form carries the version), and the
list filters.

The entry forms take their fields, labels and choices from the models; they only validate
input: the services (planning.services.raid) write, so the forms never save an instance.
"""

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.core.forms import StyledForm, VersionedForm
from charter.planning.choices import (
    AssumptionStatus,
    IssueSeverity,
    IssueStatus,
    RiskLevel,
    RiskStatus,
)
from charter.planning.forms.projects import DateInput, colleagues
from charter.planning.models import Assumption, Decision, Project, ProjectIssue, Risk
from charter.planning.services.raid import (
    ASSUMPTION_FIELDS,
    DECISION_FIELDS,
    ISSUE_FIELDS,
    RISK_FIELDS,
)


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class RaidEntryForm(StyledForm, forms.ModelForm):
    """Shared by the four kinds: owners are active colleagues (plus the current owner)."""

    def __init__(self, *args: Any, project: Project, owner_id: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project = project
        if "owner" in self.fields:
            self.fields["owner"].queryset = owner_choices(owner_id)  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


def owner_choices(current_owner_id: int | None = None) -> QuerySet[User]:
    """Active colleagues; an owner who has left stays choosable on the entries they own."""
    rows = colleagues()
    if current_owner_id is not None:
        rows = (rows | User.objects.filter(pk=current_owner_id)).distinct()
    return rows


class RiskForm(RaidEntryForm):
    class Meta:
        model = Risk
        fields = RISK_FIELDS
        widgets: ClassVar[dict[str, Any]] = {
            "description": _text(3),
            "mitigation": _text(3),
            "review_date": DateInput(),
        }
        help_texts: ClassVar[dict[str, Any]] = {
            "probability": _("How likely it is to happen, 1 (very low) to 5 (very high)."),
            "impact": _("How much it would hurt the project, 1 (very low) to 5 (very high)."),
            "mitigation": _("What is done to make it less likely or less harmful."),
        }


class AssumptionForm(RaidEntryForm):
    class Meta:
        model = Assumption
        fields = ASSUMPTION_FIELDS
        widgets: ClassVar[dict[str, Any]] = {"notes": _text(3), "verify_by": DateInput()}


class IssueForm(RaidEntryForm):
    class Meta:
        model = ProjectIssue
        fields = ISSUE_FIELDS
        widgets: ClassVar[dict[str, Any]] = {
            "description": _text(3),
            "escalation_path": _text(2),
            "resolution": _text(3),
            "due_date": DateInput(),
        }
        help_texts: ClassVar[dict[str, Any]] = {
            "resolution": _("Required to mark the issue resolved or closed."),
        }


class DecisionForm(RaidEntryForm):
    class Meta:
        model = Decision
        fields = DECISION_FIELDS
        widgets: ClassVar[dict[str, Any]] = {"rationale": _text(3), "decided_on": DateInput()}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["issue"].queryset = ProjectIssue.objects.filter(project=project)  # type: ignore[attr-defined]


class RiskEditForm(RiskForm, VersionedForm):
    """The risk form carrying the version it was loaded at (a stale save is refused)."""


class AssumptionEditForm(AssumptionForm, VersionedForm):
    """The assumption form carrying the version it was loaded at."""


class IssueEditForm(IssueForm, VersionedForm):
    """The issue form carrying the version it was loaded at."""


class DecisionEditForm(DecisionForm, VersionedForm):
    """The decision form carrying the version it was loaded at."""


def edit_form(form_class: type[RaidEntryForm], entry: Any, data: Any = None) -> RaidEntryForm:
    """``form_class`` filled with ``entry`` as saved (the form edits a copy, never ``entry``)."""
    initial = {**model_to_dict(entry, fields=form_class._meta.fields), "version": entry.version}
    return form_class(
        data, project=entry.project, owner_id=getattr(entry, "owner_id", None), initial=initial
    )


# ---- list filters ------------------------------------------------------------------------------

STATUSES = {"risks": RiskStatus, "assumptions": AssumptionStatus, "issues": IssueStatus}
# The filters each list offers; the heat map's cell is the risks' probability and impact.
FILTERS = {
    "risks": ("status", "owner", "probability", "impact"),
    "assumptions": ("status", "owner"),
    "issues": ("status", "owner", "severity"),
    "decisions": (),
}


def _optional_int(label: Any, choices: Any, empty: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", empty), *choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


class RaidFilterForm(StyledForm, forms.Form):
    """The filters of one list (``kind`` is its plural: risks, assumptions, issues, decisions)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Any owner")
    )
    severity = _optional_int(_("Severity"), IssueSeverity.choices, _("Any severity"))
    probability = _optional_int(_("Probability"), RiskLevel.choices, _("Any probability"))
    impact = _optional_int(_("Impact"), RiskLevel.choices, _("Any impact"))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - set(FILTERS[kind]):
            del self.fields[name]
        for field in self.fields.values():
            field.widget.attrs["class"] = "w-auto"  # side by side in the filter bar
        if "status" in self.fields:
            statuses = STATUSES[kind].choices
            self.fields["status"].choices = [("", _("Any status")), *statuses]  # type: ignore[attr-defined]
        if "owner" in self.fields:
            self.fields["owner"].queryset = colleagues()  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters that were given (an invalid one is ignored, not an error page)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value not in (None, "")
        }
