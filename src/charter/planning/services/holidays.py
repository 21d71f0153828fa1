"""Public holidays: the library (the ``holidays`` package) with the countries offered, the days
off and 调休 make-up workdays it gives for some years, named in the user's language, and the
years it really knows; their import into a calendar as its exceptions, and the warning for a
plan that runs past the years a calendar holds.

China's holidays and make-up workdays are fixed each autumn by the State Council, so the
library knows them only for the years of its own per-year tables; past those years a plan
gets a warning instead of silently treating the holidays as working days.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.planning.choices import ExceptionSource
from charter.planning.models import Calendar, CalendarException

ACTION_LABELS.update({"holidays_imported": gettext_lazy("imported public holidays into")})
CHANGE_LABELS.update(
    {
        "years": gettext_lazy("years"),
        "days_added": gettext_lazy("days added"),
        "days_updated": gettext_lazy("days updated"),
        "days_removed": gettext_lazy("days removed"),
    }
)

# The countries offered, China first; kept to those the installed ``holidays`` supports.
COUNTRIES = (
    ("CN", gettext_lazy("Mainland China")),
    ("HK", gettext_lazy("Hong Kong, China")),
    ("TW", gettext_lazy("Taiwan, China")),
    ("SG", gettext_lazy("Singapore")),
    ("JP", gettext_lazy("Japan")),
    ("US", gettext_lazy("United States")),
    ("GB", gettext_lazy("United Kingdom")),
    ("DE", gettext_lazy("Germany")),
    ("FR", gettext_lazy("France")),
)
# Our languages → the library's names for them, in order of preference.
LIBRARY_LANGUAGES = {"zh-hans": ("zh_CN", "zh_TW", "zh_HK"), "en": ("en_US", "en_GB")}

MAX_IMPORT_YEARS = 20


def holiday_country_choices() -> list[tuple[str, Any]]:
    """(code, label) of the countries whose holidays can be imported, then "none"."""
    supported = holidays.list_supported_countries()
    return [(code, label) for code, label in COUNTRIES if code in supported] + [
        ("", gettext_lazy("None (no public holidays)"))
    ]


def country_label(code: str) -> str:
    return str(dict(holiday_country_choices()).get(code, code))


@cache
def library_data_through(country: str) -> int | None:
    """The last year the library's own per-year tables cover for ``country`` (for China, the
    State Council's yearly schedule with its make-up workdays), or None when the country's
    holidays follow fixed rules only, so the library computes any year correctly."""
    entity = holidays.country_holidays(country)
    if not getattr(entity, "has_substituted_holidays", False):
        return None
    tables = (
        table
        for name, table in vars(entity).items()
        if name.startswith("special_") and isinstance(table, dict)
    )
    return max((year for table in tables for year in table), default=None)


@cache
def library_years(country: str) -> range:
    """The years whose holidays the library really knows for ``country``."""
    entity = holidays.country_holidays(country)
    last = library_data_through(country) or entity.end_year
    return range(max(entity.start_year, 1900), last + 1)


@dataclass(frozen=True)
class LibraryDay:
    working: bool
    name: str


def library_days(country: str, years: Iterable[int]) -> dict[datetime.date, LibraryDay]:
    """The library's days off and make-up workdays (weekend days worked) in ``years``, named
    in the active language when the library has it."""
    years = sorted(set(years))
    entity = holidays.country_holidays(country, years=years, language=_library_language(country))
    days = {day: LibraryDay(working=False, name=str(name)) for day, name in entity.items()}
    makeup_name = _("Make-up workday")
    for day in entity.weekend_workdays:
        # The set also holds make-up days of years next to the ones asked for.
        if day.year in years and day not in days:
            days[day] = LibraryDay(working=True, name=makeup_name)
    return days


def _library_language(country: str) -> str | None:
    supported = holidays.country_holidays(country).supported_languages
    wanted = LIBRARY_LANGUAGES.get(translation.get_language() or "", ())
    return next((language for language in wanted if language in supported), None)


# ---- importing them into a calendar --------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_public_holidays` did, in days."""

    added: int
    updated: int
    kept: int  # already stored as the library gives them
    manual: int  # entered by hand, left as they are
    removed: int  # imported earlier, no longer in the library


def _check_years(calendar: Calendar, years: Iterable[int]) -> list[int]:
    years = sorted(set(years))
    if not calendar.holiday_country:
        raise ValidationError(
            _("Choose whose public holidays this calendar follows first."), code="no_country"
        )
    if not years:
        raise ValidationError({"years": _("Choose at least one year.")})
    if len(years) > MAX_IMPORT_YEARS:
        raise ValidationError(
            {"years": _("Import at most %(count)d years at once.") % {"count": MAX_IMPORT_YEARS}}
        )
    known = library_years(calendar.holiday_country)
    if missing := [year for year in years if year not in known]:
        raise ValidationError({"years": _no_data_message(calendar.holiday_country, missing)})
    return years


def _no_data_message(country: str, years: list[int]) -> str:
    return _(
        "The holiday data has no schedule of %(country)s for %(years)s yet (it covers "
        "%(first)d–%(last)d). Enter those holidays and make-up workdays by hand when they are "
        "announced."
    ) % {
        "country": country_label(country),
        "years": ", ".join(map(str, years)),
        "first": library_years(country).start,
        "last": library_years(country).stop - 1,
    }


@transaction.atomic
def import_public_holidays(calendar: Calendar, *, actor: Any, years: Iterable[int]) -> ImportResult:
    """Store the public holidays and make-up workdays of ``years`` as the calendar's exceptions.

    Idempotent: days already stored as the library gives them are kept, imported days the
    library now gives differently are updated (or removed), and days entered by hand are never
    touched. Raises the calendar's ``holidays_through`` to the last year imported. Locks the
    calendar row. ValidationError (nothing written) without a holiday country or for years the
    library has no schedule of.
    """
    locked = Calendar.objects.select_for_update().get(pk=calendar.pk)
    years = _check_years(locked, years)
    wanted = library_days(locked.holiday_country, years)
    stored = {
        row.day: row
        for row in locked.exceptions.filter(day__year__in=years)  # few hundred rows at most
    }
    counts = {"added": 0, "updated": 0, "kept": 0, "manual": 0, "removed": 0}
    new_rows, changed_rows = [], []
    for day, library_day in sorted(wanted.items()):
        row = stored.get(day)
        if row is None:
            new_rows.append(_library_row(locked, day, library_day))
        elif row.source == ExceptionSource.MANUAL:
            counts["manual"] += 1
        elif (row.working, row.name, row.hours) == (library_day.working, library_day.name, ""):
            counts["kept"] += 1
        else:
            row.working, row.name, row.hours = library_day.working, library_day.name, ""
            changed_rows.append(row)
    stale = [
        row.pk
        for day, row in stored.items()
        if day not in wanted and row.source == ExceptionSource.LIBRARY
    ]
    CalendarException.objects.bulk_create(new_rows)
    CalendarException.objects.bulk_update(changed_rows, ["working", "name", "hours"])
    CalendarException.objects.filter(pk__in=stale).delete()
    counts.update(added=len(new_rows), updated=len(changed_rows), removed=len(stale))
    _record_import(locked, actor=actor, years=years, counts=counts)
    calendar.holidays_through, calendar.version = locked.holidays_through, locked.version
    return ImportResult(**counts)


def _library_row(
    calendar: Calendar, day: datetime.date, library_day: LibraryDay
) -> CalendarException:
    return CalendarException(
        calendar=calendar,
        day=day,
        working=library_day.working,
        name=library_day.name[:120],
        source=ExceptionSource.LIBRARY,
    )


def _record_import(
    calendar: Calendar, *, actor: Any, years: list[int], counts: Mapping[str, int]
) -> None:
    """Raise ``holidays_through`` (a versioned write, so an edit form opened before the import
    is refused rather than lowering it again) and audit what changed."""
    through_before = calendar.holidays_through
    through = max(through_before or years[-1], years[-1])
    if through != through_before:
        calendar.holidays_through = through
        update_versioned(calendar, expected_version=calendar.version, fields=["holidays_through"])
    changes: dict[str, Any] = {
        f"days_{name}": [None, counts[name]]
        for name in ("added", "updated", "removed")
        if counts[name]
    }
    if through != through_before:
        changes["holidays_through"] = [through_before, through]
    if changes:
        changes["years"] = [None, years]
        audit.record(calendar, "holidays_imported", actor=actor, changes=changes)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def coverage_warning(calendar: Calendar, until: datetime.date) -> str | None:
    """What to tell a planner whose plan runs until ``until`` on ``calendar`` when the public
    holidays stored do not reach that far (None when they do, or the calendar has none)."""
    country = calendar.holiday_country
    if not country:
        return None
    if calendar.holidays_through is None:
        return _(
            "This calendar has no public holidays yet: import the holidays of %(country)s, or "
            "the plan treats them as working days."
        ) % {"country": country_label(country)}
    if until.year <= calendar.holidays_through:
        return None
    values = {
        "until": date_format(until),
        "through": calendar.holidays_through,
        "years": _span(calendar.holidays_through + 1, until.year),
        "country": country_label(country),
    }
    if until.year < library_years(country).stop:
        return (
            _(
                "The plan runs until %(until)s, but this calendar holds public holidays only up "
                "to %(through)d. Import the holidays of %(years)s."
            )
            % values
        )
    return (
        _(
            "The plan runs until %(until)s, but the public holidays and make-up workdays of "
            "%(country)s are known only up to %(through)d: the official schedule for "
            "%(years)s is not published yet (China announces each year's in the "
            "autumn). Dates after %(through)d may move once it is; enter the days by hand "
            "when they are announced."
        )
        % values
    )
