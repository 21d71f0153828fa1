"""Background work of the requirements document: the e-mail carrying a confirmation link."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from charter.discovery.choices import Decision
from charter.discovery.models import ConfirmationRequest

PREFIX = "discovery/email/document_confirmation"


@task()
def send_confirmation_email(request_id: int, base_url: str) -> bool:
    """E-mail a contact their link to read and confirm a document version, in the contact's
    language. Returns False when there is nothing to send any more (decided, no address)."""
    request = (
        ConfirmationRequest.objects.select_related("version__document", "contact", "sent_by")
        .filter(pk=request_id, decision=Decision.PENDING)
        .exclude(contact__email="")
        .first()
    )
    if request is None:
        return False
    contact = request.contact
    with translation.override(contact.language):
        context = {
            "contact": contact,
            "version": request.version,
            "document": request.version.document,
            "sender": request.sent_by,
            "expires_at": request.expires_at,
            "link": request.link(base_url),
        }
        subject = "".join(render_to_string(f"{PREFIX}_subject.txt", context).splitlines())
        message = EmailMultiAlternatives(
            subject, render_to_string(f"{PREFIX}.txt", context), to=[contact.email]
        )
        message.attach_alternative(render_to_string(f"{PREFIX}.html", context), "text/html")
    message.send()
    return True
