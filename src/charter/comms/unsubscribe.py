"""Unsubscribing: a contact stops non-essential messages (status reports, notices) with one
click on the link every such e-mail carries, or the team records it for them.

The link holds the contact's id signed with the server's key (its own salt), so it needs no
table and keeps working; RFC 8058's List-Unsubscribe-Post header lets mail programs show their
own "unsubscribe" button, which posts to the same address.
"""

from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from charter.comms.models import ContactOptOut, OptOutSource
from charter.comms.templating import site_url
from charter.core import audit
from charter.core.tokens import absolute_link
from charter.crm.models import Contact

SALT = "charter.comms.unsubscribe"


def token_for(contact: Contact) -> str:
    """The same token every time for a contact: one link, in every e-mail, for good."""
    return signing.Signer(salt=SALT).sign(str(contact.pk))


def contact_for(token: str) -> Contact | None:
    """The contact a link names, or None for a link that was altered or made up."""
    try:
        pk = int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Contact.objects.filter(pk=pk).select_related("client").first()


def link_for(contact: Contact) -> str:
    return absolute_link("comms:unsubscribe", site_url(), token=token_for(contact))


def headers(contact: Contact) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: mail programs offer a one-click unsubscribe."""
    return {
        "List-Unsubscribe": f"<{link_for(contact)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def footer(contact: Contact) -> str:
    """The line under a non-essential e-mail, in the active language."""
    return _("Fewer e-mails? Unsubscribe from project updates: %(link)s") % {
        "link": link_for(contact)
    }


def is_unsubscribed(contact: Contact) -> bool:
    return ContactOptOut.objects.filter(contact=contact).exists()


@transaction.atomic
def unsubscribe(contact: Contact, *, source: str, actor: Any = None) -> ContactOptOut:
    """Record that ``contact`` wants no more non-essential messages (again: nothing changes)."""
    opt_out, created = ContactOptOut.objects.get_or_create(
        contact=contact,
        defaults={"source": source, "recorded_by": actor if getattr(actor, "pk", None) else None},
    )
    if created:
        how = str(OptOutSource(source).label)  # a lazy label cannot be stored as JSON
        audit.record(contact, "unsubscribed", actor=actor, changes={"unsubscribed": [None, how]})
    return opt_out


@transaction.atomic
def resubscribe(contact: Contact, *, actor: Any) -> None:
    """The contact wants the messages again (the team records it when they ask)."""
    deleted, _rows = ContactOptOut.objects.filter(contact=contact).delete()
    if deleted:
        audit.record(contact, "resubscribed", actor=actor, changes={"unsubscribed": ["", None]})
