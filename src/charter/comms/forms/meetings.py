"""Meeting forms: schedule or change a meeting, its minutes, an action item.

The start and end are typed as wall-clock times of the meeting's time zone (which may differ
from the user's): the form reads them in that zone."""

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.comms.meetings import MEETING_FIELDS, team
from charter.comms.models import Meeting
from charter.core.forms import StyledForm, VersionedForm
from charter.crm.forms_pipeline import DATE, DATETIME
from charter.crm.models import Contact
from charter.planning.forms import colleagues
from charter.planning.models import Project

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def _wall_clock(moment: datetime.datetime, zone: str) -> datetime.datetime:
    """``moment`` as the same clock reading in ``zone`` (the form parsed it in the user's)."""
    return timezone.make_naive(moment).replace(tzinfo=zoneinfo.ZoneInfo(zone))


class MeetingForm(StyledForm, forms.Form):
    title = forms.CharField(
        label=pgettext_lazy("meeting", "Title"),
        max_length=200,
        help_text=_("For example “项目启动会” or “需求评审”."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(zone, zone) for zone in TIME_ZONES],
        help_text=_("The start and end are times in this zone."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    video_link = forms.URLField(
        label=_("Video link"), max_length=500, required=False, assume_scheme="https"
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Client attendees"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("Contacts of the client; those with an e-mail address get the invitation."),
    )
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Colleagues"), queryset=colleagues(), required=False
    )
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = Contact.objects.filter(client_id=project.client_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = data.get("time_zone")
        for name in ("starts_at", "ends_at"):
            if zone and data.get(name):
                data[name] = _wall_clock(data[name], zone)
        return data

    def meeting_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in MEETING_FIELDS}

    def people(self) -> dict[str, Any]:
        return {name: list(self.cleaned_data[name]) for name in ("contacts", "colleagues")}


class MeetingEditForm(MeetingForm, VersionedForm):
    """The meeting form carrying the version it was loaded at (a stale save is refused)."""

    @staticmethod
    def initial_of(meeting: Meeting) -> dict[str, Any]:
        zone = zoneinfo.ZoneInfo(meeting.time_zone)
        initial: dict[str, Any] = {name: getattr(meeting, name) for name in MEETING_FIELDS}
        # Shown as the clock reads in the meeting's zone, in whatever zone the user is.
        for name in ("starts_at", "ends_at"):
            local = initial[name].astimezone(zone).replace(tzinfo=None)
            initial[name] = timezone.make_aware(local)
        initial["contacts"] = list(meeting.contacts.all())
        initial["colleagues"] = list(meeting.colleagues.all())
        initial["version"] = meeting.version
        return initial


class MinutesForm(StyledForm, VersionedForm):
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("What was discussed and decided."),
    )


class ActionItemForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Action item"), max_length=500)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Contact.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team(project)  # type: ignore[attr-defined]
