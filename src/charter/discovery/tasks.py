"""Background work of discovery: the e-mails that carry a contact's questionnaire link."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from charter.discovery.models import Invitation

# kind → template prefix (``_subject.txt``, ``.txt``, ``.html``)
EMAILS = {
    "invitation": "discovery/email/campaign_invitation",
    "reminder": "discovery/email/campaign_reminder",
}


@task()
def send_campaign_email(invitation_id: int, base_url: str, kind: str) -> bool:
    """E-mail a contact their personal questionnaire link, in the invitation's language.

    Returns False when the contact has no address any more.
    """
    prefix = EMAILS[kind]
    invitation = (
        Invitation.objects.select_related(
            "contact", "campaign__questionnaire", "campaign__created_by"
        )
        .filter(pk=invitation_id)
        .exclude(contact__email="")
        .first()
    )
    if invitation is None:
        return False
    campaign = invitation.campaign
    with translation.override(invitation.language):
        context = {
            "contact": invitation.contact,
            "campaign": campaign,
            "questionnaire": campaign.questionnaire,
            "sender": campaign.created_by,
            "link": invitation.link(base_url),
            "expires_at": invitation.expires_at,
        }
        subject = "".join(render_to_string(f"{prefix}_subject.txt", context).splitlines())
        message = EmailMultiAlternatives(
            subject, render_to_string(f"{prefix}.txt", context), to=[invitation.contact.email]
        )
        message.attach_alternative(render_to_string(f"{prefix}.html", context), "text/html")
    message.send()
    return True
