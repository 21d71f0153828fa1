"""The message log pages of a project (its "Messages" tab) and of a client: every message sent
and every interaction logged, newest first, searchable, with each message's delivery status;
"Retry now" for a message that failed or waits to retry."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from charter.comms import log
from charter.comms.models import OutboxStatus
from charter.comms.querysets import visible_parent
from charter.comms.views.robots import parent_paths
from charter.core import policy
from charter.core.http import next_or

PER_PAGE = 25


class LogFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *OutboxStatus.choices],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("Any channel")), *log.LogChannel.choices],
    )

    def filters(self) -> dict[str, str]:
        """The valid filters; an unknown status or channel is left out."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "status", "channel")}


@require_GET
@policy.requires("comms.message", "view")
def message_log(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    filter_form = LogFilterForm(request.GET)
    filters = filter_form.filters()
    rows = log.LOGS[kind](parent, request.user, **filters)
    context = {
        "parent": parent,
        "parent_kind": kind,
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),  # type: ignore[arg-type]
        "filter_form": filter_form,
        "searching": any(filters.values()),
        "can_retry": policy.allows(request.user, "comms.message", "retry"),
        "retryable": log.RETRYABLE,
    }
    return render(request, "comms/log/message_log.html", context)


@require_POST
@policy.requires("comms.message", "retry")
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed or retrying message again now; back to the log it was retried from."""
    message = get_object_or_404(log.visible_messages(request.user), pk=pk)
    try:
        log.retry_now(message, actor=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, _("“%(subject)s” is being sent again.") % {"subject": message.subject}
        )
    # Back to the log page the retry came from (with its filters), else the message's own log.
    parent = message.project or message.client
    return redirect(next_or(request, log.log_url(parent) if parent else reverse("core:dashboard")))


urls = [
    *parent_paths("messages/", message_log, "messages"),
    path("messages/<int:pk>/retry/", message_retry, name="message_retry"),
]
