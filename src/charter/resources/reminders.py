"""Reminders for missing timesheets, sent through the communication outbox.

From Monday 10:00 on, everyone who was planned to work last week — a person resource with a
Charter account, assigned to a task of a running project scheduled in that week — and has not
submitted that week's timesheet is e-mailed once (one outbox key per person and week, so the
worker's every-minute tick and several workers never send it twice).
"""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter.comms import outbox
from charter.comms.models import OutboxMessage
from charter.comms.templating import language_of, site_url
from charter.core.tokens import absolute_link
from charter.planning.models import Project
from charter.resources.choices import ResourceKind, TimesheetStatus
from charter.resources.models import Timesheet

REMIND_FROM = datetime.time(10, 0)  # Monday, local time: the weekend is over, the week is not


def due_week(now: datetime.datetime) -> datetime.date | None:
    """The Monday of the week to remind about: last week, once this Monday's hour has come."""
    local = timezone.localtime(now)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    if local.date() == monday and local.time() < REMIND_FROM:
        return None
    return monday - datetime.timedelta(days=7)


def planned_people(week: datetime.date) -> QuerySet[Any]:
    """Active users with an e-mail address whose work resource is assigned to a task of a
    running project scheduled to run during the week starting ``week``."""
    start = datetime.datetime.combine(week, datetime.time(), tzinfo=timezone.get_current_timezone())
    end = start + datetime.timedelta(days=7)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            resources__kind=ResourceKind.WORK,
            resources__assignments__task__project__in=Project.objects.running(),
            resources__assignments__task__start__lt=end,
            resources__assignments__task__finish__gt=start,
        )
        .exclude(email="")
        .distinct()
    )


def key_for(user: Any, week: datetime.date) -> str:
    return f"timesheet-reminder:{user.pk}:{week.isoformat()}"


def remind_missing_timesheets(*, now: datetime.datetime | None = None) -> int:
    """E-mail each planned person without a submitted timesheet for the due week; returns
    how many reminders this call queued. Three queries when there is nobody to remind."""
    week = due_week(now or timezone.now())
    if week is None:
        return 0
    people = list(planned_people(week))
    sent = set(
        Timesheet.objects.filter(user__in=people, week_start=week)
        .exclude(status=TimesheetStatus.DRAFT)
        .values_list("user_id", flat=True)
    )
    missing = [user for user in people if user.pk not in sent]
    reminded = set(
        OutboxMessage.objects.filter(key__in=[key_for(u, week) for u in missing]).values_list(
            "key", flat=True
        )
    )
    queued = 0
    for user in missing:
        if key_for(user, week) not in reminded:
            _remind(user, week)
            queued += 1
    return queued


def _remind(user: Any, week: datetime.date) -> None:
    link = absolute_link("resources:timesheet_week", site_url()) + f"?week={week.isoformat()}"
    with translation.override(language_of(user.language)):
        outbox.enqueue_email(
            key=key_for(user, week),
            to=[user.email],
            subject=_("Your timesheet for the week of %(week)s is missing")
            % {"week": week.isoformat()},
            text=_(
                "You were planned to work on projects in the week of %(week)s, and its "
                "timesheet has not been submitted yet. Please enter your hours and submit: %(link)s"
            )
            % {"week": week.isoformat(), "link": link},
        )
