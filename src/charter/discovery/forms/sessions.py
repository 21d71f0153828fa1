"""Forms of interviews and focus groups: the session itself, list filters, ideas."""

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.forms_pipeline import DATE, DATETIME
from charter.crm.models import Contact
from charter.discovery.models import FocusGroup, Interview
from charter.discovery.services.sessions import FOCUS_GROUP_FIELDS, INTERVIEW_FIELDS, PEOPLE
from charter.planning.forms import colleagues


def client_contacts(parent: models.Model) -> models.QuerySet[Contact]:
    return Contact.objects.filter(client_id=parent.client_id)  # type: ignore[attr-defined]


class _SessionForm(StyledForm, forms.Form):
    """Shared by interviews and focus groups: ``people`` names the two M2M fields."""

    model: type[Interview] | type[FocusGroup]
    fields_of_model: tuple[str, ...]

    def __init__(self, *args: Any, parent: models.Model, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("held_at", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        staff_field, contact_field = PEOPLE[self.model]
        self.fields[staff_field].queryset = colleagues()  # type: ignore[attr-defined]
        self.fields[contact_field].queryset = client_contacts(parent)  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}

    @classmethod
    def initial_of(cls, session: Interview | FocusGroup) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(session, name) for name in cls.fields_of_model}
        initial["held_at"] = timezone.localtime(session.held_at)
        initial["version"] = session.version
        for name in PEOPLE[type(session)]:
            initial[name] = list(getattr(session, name).all())
        return initial


class InterviewForm(_SessionForm):
    model = Interview
    fields_of_model = INTERVIEW_FIELDS

    title = forms.CharField(
        label=pgettext_lazy("interview", "Title"),
        max_length=200,
        help_text=_("For example “财务总监访谈：月结流程”."),
    )
    held_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    interviewers = forms.ModelMultipleChoiceField(label=_("Interviewers"), queryset=colleagues())
    interviewees = forms.ModelMultipleChoiceField(
        label=_("Interviewees"),
        queryset=Contact.objects.none(),
        help_text=_("Contacts of the client who were interviewed."),
    )
    guide = forms.CharField(
        label=_("Interview guide"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("The questions to ask, one per line."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class InterviewEditForm(InterviewForm, VersionedForm):
    """The interview form carrying the version it was loaded at (a stale save is refused)."""


class FocusGroupForm(_SessionForm):
    model = FocusGroup
    fields_of_model = FOCUS_GROUP_FIELDS

    title = forms.CharField(
        label=pgettext_lazy("focus group", "Topic"),
        max_length=200,
        help_text=_("What the group works on, for example “移动审批的期望”."),
    )
    held_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    facilitators = forms.ModelMultipleChoiceField(label=_("Facilitators"), queryset=colleagues())
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Contact.objects.none(),
        help_text=_("Contacts of the client who take part."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    dots_per_participant = forms.IntegerField(
        label=_("Votes per participant"),
        min_value=1,
        max_value=20,
        initial=3,
        help_text=_("How many dots each participant may spread over the ideas."),
    )


class FocusGroupEditForm(FocusGroupForm, VersionedForm):
    """The focus-group form carrying the version it was loaded at (a stale save is refused)."""


class SessionFilterForm(forms.Form):
    q = forms.CharField(required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class IdeaForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Idea"), max_length=500)
    proposed_by = forms.ModelChoiceField(
        label=_("Proposed by"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("Nobody in particular"),
    )

    def __init__(self, *args: Any, group: FocusGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposed_by"].queryset = group.participants.all()  # type: ignore[attr-defined]


class VotesForm(forms.Form):
    """The dots one participant gave each idea: a field ``idea_<id>`` per idea."""

    participant = forms.ModelChoiceField(queryset=Contact.objects.none())

    def __init__(self, *args: Any, group: FocusGroup, ideas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = group.participants.all()  # type: ignore[attr-defined]
        for idea in ideas:
            self.fields[f"idea_{idea.pk}"] = forms.IntegerField(
                label=idea.text, min_value=0, max_value=group.dots_per_participant, required=False
            )

    def dots(self) -> dict[int, int]:
        return {
            int(name.removeprefix("idea_")): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith("idea_")
        }
