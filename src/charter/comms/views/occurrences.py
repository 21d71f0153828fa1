"""What an owner does to one occurrence of a communication plan item (preview, edit its
words, skip, restore, send now), and "My week" across projects.

An occurrence is named in the URL by its item and its rule date (YYYY-MM-DD)."""

import datetime
import itertools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.comms import occurrences, plan, scheduler, templating
from charter.comms.forms.plan import OccurrenceWordsForm
from charter.comms.models import (
    CommunicationItem,
    CommunicationKind,
    CommunicationOccurrence,
    OccurrenceStatus,
)
from charter.comms.querysets import visible_item
from charter.comms.views.plan import MISSED_DAYS, plan_url
from charter.core import policy
from charter.core.forms import submit
from charter.core.http import next_or
from charter.crm.choices import Channel

MY_WEEK_DAYS = 7


# ---- lookups ---------------------------------------------------------------------------------


def _nominal(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


def _back(request: HttpRequest, item: CommunicationItem) -> str:
    """Where an action returns: ``next`` when it is a page of this site, else the plan."""
    return next_or(request, plan_url(item.project))


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---- one occurrence --------------------------------------------------------------------------


def _occurrence(item: CommunicationItem, on: str) -> CommunicationOccurrence:
    """The occurrence named by ``on`` in the URL (see ``occurrences.occurrence_of``), else 404."""
    row = occurrences.occurrence_of(item, _nominal(on))
    if row is None:
        raise Http404
    return row


def _route_note(item: CommunicationItem) -> str:
    if item.kind == CommunicationKind.SURVEY:
        return _("Sends the questionnaire campaign, or reminds those who have not answered.")
    if item.kind == CommunicationKind.MEETING:
        return _("Schedules the meeting and e-mails each attendee the invitation.")
    if item.channel in plan.ROBOT_CHANNELS:
        return _("Posted to the group chat of %(robot)s.") % {
            "robot": item.robot or _("a chat robot not chosen yet")
        }
    if item.channel != Channel.EMAIL:
        return _("Nothing is sent through %(channel)s: its owner is reminded by e-mail.") % {
            "channel": Channel(item.channel).label
        }
    return ""


def _emailed(item: CommunicationItem) -> bool:
    """Whether the item's occurrences are e-mails to its recipients (meetings: invitations)."""
    if item.kind == CommunicationKind.MEETING:
        return True
    return item.channel == Channel.EMAIL and item.kind != CommunicationKind.SURVEY


def _recipients(item: CommunicationItem) -> tuple[list[scheduler.Recipient], int]:
    return scheduler.email_recipients(item) if _emailed(item) else ([], 0)


@require_GET
@policy.requires("comms.communication", "view")
def occurrence_preview(request: HttpRequest, pk: int, on: str) -> HttpResponse:
    """The occurrence's words in Chinese and English as they will be sent, and to whom."""
    item = visible_item(request.user, pk, "view")
    row = _occurrence(item, on)
    recipients, left_out = _recipients(item)
    versions, error = [], ""
    try:
        facts = templating.project_facts(item.project, base_url=templating.site_url())
        for language, label in ((templating.CHINESE, _("Chinese")), ("en", _("English"))):
            reader = next(
                (r.name for r in recipients if templating.language_of(r.language) == language),
                recipients[0].name if recipients else "",
            )
            words = scheduler.render_for(
                item, row, language=language, recipient=reader, facts=facts
            )
            versions.append((language, label, words))
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    context = {
        "item": item,
        "project": item.project,
        "row": row,
        "status": row.status,
        "versions": versions,
        "error": error,
        "recipients": recipients,
        "left_out": left_out,
        "route_note": _route_note(item),
        "actionable": occurrences.is_actionable(item, row),
        "next": _back(request, item),
    }
    return render(request, "comms/plan/occurrence_preview.html", context)


def _template_words(item: CommunicationItem, language: str) -> tuple[str, str]:
    """The template's subject and text in ``language``; empty when the item has none."""
    try:
        template = templating.template_for(item)
    except ValidationError:
        return "", ""
    if language == templating.CHINESE:
        return template.subject_zh, template.body_zh
    return template.subject_en, template.body_en


@require_http_methods(["GET", "POST"])
@policy.requires("comms.communication", "change")
def occurrence_edit(request: HttpRequest, pk: int, on: str) -> HttpResponse:
    """Words of its own for one occurrence, starting from the template's in the owner's
    language; words left as the template's stay the template's (its later edits apply)."""
    item = visible_item(request.user, pk, "change")
    row = _occurrence(item, on)
    if request.method == "GET" and not occurrences.is_actionable(item, row):
        messages.error(request, _("This occurrence is no longer ahead; it cannot be changed."))
        preview = reverse("comms:occurrence_preview", args=[item.pk, row.nominal_on.isoformat()])
        return redirect(preview)
    language = templating.language_of(
        item.owner.language if item.owner else getattr(request.user, "language", "")
    )
    template_subject, template_body = _template_words(item, language)
    initial = {"subject": row.subject or template_subject, "body": row.body or template_body}
    form = OccurrenceWordsForm(request.POST or None, initial=initial)
    status: int | None = 200
    if request.method == "POST":

        def save(data: dict[str, Any]) -> None:
            subject, body = data["subject"].strip(), data["body"].strip()
            occurrences.edit_occurrence(
                item,
                row.nominal_on,
                actor=request.user,
                subject="" if subject == template_subject.strip() else subject,
                body="" if body == template_body.strip() else body,
            )

        status = submit(form, save)
        if status is None:
            messages.success(
                request, _("The words for %(date)s were saved.") % {"date": _date(row.on)}
            )
            return redirect(_back(request, item))
    context = {
        "item": item,
        "project": item.project,
        "row": row,
        "form": form,
        "language": language,
        "has_template": bool(template_subject or template_body),
        "variables": templating.VARIABLES.items(),
        "next": _back(request, item),
    }
    return render(request, "comms/plan/occurrence_edit.html", context, status=status or 200)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _occurrence_action(request: HttpRequest, pk: int, on: str, act: Any, done: str) -> HttpResponse:
    item = visible_item(request.user, pk, "change")
    nominal = _nominal(on)
    try:
        row = act(item, nominal, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, done % {"what": item, "date": _date(row.on)})
    return redirect(_back(request, item))


@require_POST
@policy.requires("comms.communication", "change")
def occurrence_skip(request: HttpRequest, pk: int, on: str) -> HttpResponse:
    return _occurrence_action(
        request, pk, on, occurrences.skip_occurrence, _("“%(what)s” on %(date)s will not be sent.")
    )


@require_POST
@policy.requires("comms.communication", "change")
def occurrence_restore(request: HttpRequest, pk: int, on: str) -> HttpResponse:
    return _occurrence_action(
        request,
        pk,
        on,
        occurrences.restore_occurrence,
        _("“%(what)s” on %(date)s is planned again."),
    )


@require_http_methods(["GET", "POST"])
@policy.requires("comms.communication", "change")
def occurrence_send(request: HttpRequest, pk: int, on: str) -> HttpResponse:
    """GET asks for confirmation; POST sends the occurrence now: ahead of its time, or late
    when it was missed (not a meeting)."""
    if request.method == "POST":
        return _occurrence_action(
            request, pk, on, scheduler.send_now, _("“%(what)s” for %(date)s was sent.")
        )
    item = visible_item(request.user, pk, "change")
    row = _occurrence(item, on)
    recipients, left_out = _recipients(item)
    context = {
        "item": item,
        "project": item.project,
        "row": row,
        "can_send": occurrences.can_send(item, row),
        "late": row.status == OccurrenceStatus.MISSED,
        "recipients": recipients,
        "left_out": left_out,
        "route_note": _route_note(item),
        "is_email": _emailed(item),
        "next": _back(request, item),
    }
    return render(request, "comms/plan/occurrence_send.html", context)


# ---- my week ---------------------------------------------------------------------------------


@require_GET
@policy.requires("comms.communication", "view")
def my_week(request: HttpRequest) -> HttpResponse:
    """The occurrences of the items the user owns, this week, by day; their misses first."""
    items = CommunicationItem.objects.for_user(request.user).filter(owner_id=request.user.pk)
    today = timezone.localdate()
    ahead = occurrences.upcoming(items, today, today + datetime.timedelta(days=MY_WEEK_DAYS))
    days = [(day, list(group)) for day, group in itertools.groupby(ahead, key=lambda o: o.on)]
    context = {
        "days": days,
        "missed": occurrences.missed(items, since=today - datetime.timedelta(days=MISSED_DAYS)),
        "missed_days": MISSED_DAYS,
        "today": today,
        "now": timezone.now(),
    }
    return render(request, "comms/plan/my_week.html", context)


urls = [
    path(
        "communications/<int:pk>/occurrences/<str:on>/",
        occurrence_preview,
        name="occurrence_preview",
    ),
    path(
        "communications/<int:pk>/occurrences/<str:on>/edit/",
        occurrence_edit,
        name="occurrence_edit",
    ),
    path(
        "communications/<int:pk>/occurrences/<str:on>/skip/",
        occurrence_skip,
        name="occurrence_skip",
    ),
    path(
        "communications/<int:pk>/occurrences/<str:on>/restore/",
        occurrence_restore,
        name="occurrence_restore",
    ),
    path(
        "communications/<int:pk>/occurrences/<str:on>/send/",
        occurrence_send,
        name="occurrence_send",
    ),
    path("comms/my-week/", my_week, name="my_week"),
]
