"""Forms of calendars: the calendar itself, a day entered by hand, the holiday import and the
choice of a project's calendar. The services check the values; these forms only parse them."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.forms_pipeline import DATE
from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.services import calendars as services
from charter.planning.services import holidays

WEEKDAY_CHOICES = [(str(number), name) for number, name in WEEKDAYS.items()]


class CalendarForm(StyledForm, forms.Form):
    name = forms.CharField(label=pgettext_lazy("calendar", "Name"), max_length=120)
    working_weekdays = forms.MultipleChoiceField(
        label=_("Working weekdays"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["0", "1", "2", "3", "4"],
    )
    hours = forms.CharField(
        label=_("Working hours"),
        max_length=120,
        initial=services.STANDARD_HOURS,
        help_text=_("From-to times separated by commas, for example 09:00-12:00,13:00-18:00."),
    )
    holiday_country = forms.ChoiceField(
        label=_("Public holidays of"),
        choices=holidays.holiday_country_choices,
        initial="CN",
        required=False,
        help_text=_("Whose public holidays and make-up workdays (调休) can be imported."),
    )
    is_default = forms.BooleanField(
        label=_("Default calendar"),
        required=False,
        help_text=_("Projects without a calendar of their own are scheduled on it."),
    )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class CalendarEditForm(CalendarForm, VersionedForm):
    holidays_through = forms.IntegerField(
        label=_("Holiday data up to"),
        required=False,
        min_value=1900,
        max_value=2200,
        help_text=_(
            "Last year whose public holidays this calendar holds. Imports raise it; raise it "
            "yourself after entering a new year's holidays by hand."
        ),
    )

    @classmethod
    def initial_of(cls, calendar: Calendar) -> dict[str, Any]:
        initial = {name: getattr(calendar, name) for name in services.CALENDAR_FIELDS}
        initial["working_weekdays"] = list(calendar.working_weekdays)
        initial["version"] = calendar.version
        return initial


class ExceptionForm(StyledForm, forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    working = forms.BooleanField(
        label=_("Working day"),
        required=False,
        help_text=_("Off: a day off. On: a working day, such as a make-up workday."),
    )
    hours = forms.CharField(
        label=_("Working hours"),
        max_length=120,
        required=False,
        help_text=_("Only for a working day; empty: the calendar's usual hours."),
    )
    name = forms.CharField(label=pgettext_lazy("calendar", "Name"), max_length=120, required=False)

    @classmethod
    def initial_of(cls, exception: CalendarException) -> dict[str, Any]:
        return {name: getattr(exception, name) for name in services.EXCEPTION_FIELDS}


class ImportForm(StyledForm, forms.Form):
    """A range of years to import public holidays for."""

    first_year = forms.IntegerField(label=_("From year"), min_value=1900, max_value=2200)
    last_year = forms.IntegerField(label=_("To year"), min_value=1900, max_value=2200)

    def __init__(self, *args: Any, calendar: Calendar, **kwargs: Any) -> None:
        this_year = timezone.localdate().year
        through = None
        if calendar.holiday_country:
            through = holidays.library_data_through(calendar.holiday_country)
        kwargs.setdefault(
            "initial", {"first_year": this_year, "last_year": max(this_year, through or this_year)}
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None:
            if last < first:
                raise ValidationError({"last_year": _("The last year comes after the first.")})
            if last - first >= holidays.MAX_IMPORT_YEARS:
                raise ValidationError(
                    {
                        "last_year": _("Import at most %(count)d years at once.")
                        % {"count": holidays.MAX_IMPORT_YEARS}
                    }
                )
        return data

    def years(self) -> list[int]:
        return list(range(self.cleaned_data["first_year"], self.cleaned_data["last_year"] + 1))


class ProjectCalendarForm(StyledForm, VersionedForm):
    calendar = forms.ModelChoiceField(
        label=_("Project calendar"),
        queryset=Calendar.objects.none(),
        required=False,
        empty_label=_("The default calendar"),
        help_text=_("Working days, hours and holidays the plan is scheduled on."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = services.usable_calendars(project)  # type: ignore[attr-defined]
