"""The contact's personal link to a document version: read it, comment per section, confirm it
or request changes. No sign-in: the token in the link is the only key, and opens one request."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_http_methods

from charter.core import policy
from charter.core.forms import add_service_errors
from charter.core.middleware import client_ip
from charter.core.tokens import link_page
from charter.discovery.choices import Decision
from charter.discovery.forms.documents import ConfirmForm
from charter.discovery.models import ConfirmationRequest
from charter.discovery.services import documents as services
from charter.discovery.views.documents import sections_in_language

TEMPLATE = "discovery/documents/confirm.html"


def _context(request: ConfirmationRequest, form: ConfirmForm) -> dict[str, Any]:
    version = request.version
    latest = version.document.versions.order_by("-number").values_list("number", flat=True)
    comments = {comment.section: comment.body for comment in request.comments.all()}
    sections = sections_in_language(version.content)
    for section in sections:
        section.comment = comments.get(section.key, "")
        section.field = form[f"comment_{section.key}"]
    return {
        "confirmation": request,
        "version": version,
        "content": version.content,
        "sections": sections,
        "form": form,
        "newer_number": latest.first() if latest.first() != version.number else None,
        "decided": request.decision != Decision.PENDING,
    }


def _answer(
    http: HttpRequest, request: ConfirmationRequest, form: ConfirmForm
) -> tuple[int, ConfirmationRequest]:
    """Record the posted decision; (status, request as it stands)."""
    if not form.is_valid():
        return 422, request
    try:
        request = services.decide(
            request,
            decision=form.cleaned_data["decision"],
            content_hash=form.cleaned_data["content_hash"],
            message=form.cleaned_data["message"],
            comments=form.comments(),
            ip=client_ip(http),
        )
    except ValidationError as error:
        if (
            getattr(error, "code", None) == "decided"
        ):  # a second answer: show the first, store nothing
            request.refresh_from_db()
            return 409, request
        add_service_errors(form, error)
        return 422, request
    return 200, request


@require_http_methods(["GET", "POST"])
@policy.public
@link_page
def confirm(http: HttpRequest, token: str) -> HttpResponse:
    """The version the link was sent for (even when a newer one exists), in the contact's
    language; 404 for an unknown or altered token, 410 once expired."""
    request = services.find_request(token)
    if request is None:
        return render(http, "discovery/documents/confirm_invalid.html", status=404)
    with translation.override(request.contact.language):
        if services.is_expired(request) and request.decision == Decision.PENDING:
            return render(
                http,
                "discovery/documents/confirm_expired.html",
                {"confirmation": request},
                status=410,
            )
        status = 200
        if http.method == "POST" and request.decision == Decision.PENDING:
            form = ConfirmForm(http.POST)
            status, request = _answer(http, request, form)
        elif http.method == "POST":
            form, status = ConfirmForm(), 409
        else:
            services.mark_opened(request)
            form = ConfirmForm(initial={"content_hash": request.version.content_hash})
        return render(http, TEMPLATE, _context(request, form), status=status)


urls = [path("d/<str:token>/", confirm, name="confirm")]
