"""The public holiday library (the ``holidays`` package): the countries offered, the days off
and 调休 make-up workdays it gives for some years, named in the user's language, and the years
it really knows.

China's holidays and make-up workdays are fixed each autumn by the State Council, so the
library knows them only for the years of its own per-year tables; past those years a plan
gets a warning instead of silently treating the holidays as working days.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import holidays
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
