"""Unsubscribing from non-essential messages: the public page every such e-mail links to (no
sign-in: the signed token in the link names the contact), which mail programs may also post to
with one click (RFC 8058), and the team's buttons on a contact's page to record an unsubscribe
a contact asked for by phone, or to undo one."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from charter.comms import unsubscribe as services
from charter.comms.models import ContactOptOut, OptOutSource
from charter.comms.templating import site_url
from charter.core import policy
from charter.core.tokens import link_page
from charter.crm.models import Contact


def sender_name() -> str:
    """Who the e-mails come from, as their From line names it (else this site's host)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or urlsplit(site_url()).hostname or ""


# csrf_exempt: RFC 8058's one-click POST comes from a mail program, which has no CSRF token.
# The signed token in the URL is the only key, and the only thing it can do is unsubscribe.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@policy.public
@link_page
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "stop these e-mails?"; POST (the page's button, or a mail program's
    ``List-Unsubscribe=One-Click``) records it and says so. 404 for an altered link."""
    contact = services.contact_for(token)
    if contact is None:
        return render(request, "comms/unsubscribe/invalid.html", status=404)
    with translation.override(contact.language):
        if request.method == "POST":
            services.unsubscribe(contact, source=OptOutSource.LINK)
        opt_out = ContactOptOut.objects.filter(contact=contact).first()
        context = {
            "contact": contact,
            "client": contact.client,
            "sender": sender_name(),
            "opt_out": opt_out,
        }
        template = "done.html" if opt_out is not None else "confirm.html"
        return render(request, f"comms/unsubscribe/{template}", context)


def _contact(request: HttpRequest, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.for_user(request.user), pk=pk)


@require_POST
@policy.requires("comms.optout", "change")
def contact_unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the contact asked for no more non-essential messages."""
    contact = _contact(request, pk)
    services.unsubscribe(contact, source=OptOutSource.STAFF, actor=request.user)
    messages.success(
        request,
        _("%(name)s gets no more non-essential messages.") % {"name": contact.name},
    )
    return redirect(contact)


@require_POST
@policy.requires("comms.optout", "change")
def contact_resubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo an unsubscribe, when the contact asked for the messages again."""
    contact = _contact(request, pk)
    services.resubscribe(contact, actor=request.user)
    messages.success(
        request,
        _("%(name)s gets project updates again.") % {"name": contact.name},
    )
    return redirect(contact)


urls = [
    path("u/<str:token>/", unsubscribe_page, name="unsubscribe"),
    path("contacts/<int:pk>/unsubscribe/", contact_unsubscribe, name="contact_unsubscribe"),
    path("contacts/<int:pk>/resubscribe/", contact_resubscribe, name="contact_resubscribe"),
]
