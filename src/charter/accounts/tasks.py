"""Background work of accounts: the e-mails that carry a set-password link."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.accounts.models import User
from charter.core.tokens import absolute_link

# kind → template prefix under accounts/email/ (``_subject.txt``, ``.txt``, ``.html``)
EMAILS = {
    "password_reset": "accounts/email/password_reset",
    "invitation": "accounts/email/invitation",
}


def set_password_link(user: User, base_url: str) -> str:
    """An absolute one-time link to choose a password; ``base_url`` is the site's root URL."""
    return absolute_link(
        "accounts:password_reset_confirm",
        base_url,
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )


@task()
def send_account_email(user_id: int, kind: str, base_url: str) -> bool:
    """Send a password-reset or invitation e-mail in the user's language.

    The token is made here, when the mail is sent, so no secret waits in the task queue.
    Returns False when the account was deactivated or lost its address in the meantime.
    """
    prefix = EMAILS[kind]
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    with translation.override(user.language):
        context = {
            "user": user,
            "link": set_password_link(user, base_url),
            "site_url": base_url,
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        subject = "".join(render_to_string(f"{prefix}_subject.txt", context).splitlines())
        message = EmailMultiAlternatives(
            subject, render_to_string(f"{prefix}.txt", context), to=[user.email]
        )
        message.attach_alternative(render_to_string(f"{prefix}.html", context), "text/html")
    message.send()
    return True
