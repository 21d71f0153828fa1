import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.accounts.choices import Role
from charter.accounts.models import ApiToken, User
from charter.core import audit
from charter.core.concurrency import update_versioned

USER_ADMIN_FIELDS = (
    "display_name",
    "email",
    "role",
    "client",
    "language",
    "time_zone",
    "is_active",
)
PROFILE_FIELDS = ("display_name", "email", "language", "time_zone")
TOKEN_PREFIX = "chr_"  # noqa: S105 (a public marker, not a secret)
# A token seen in use is stamped at most this often, so reading the API costs no write per call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def sync_role_flags(user: User) -> None:
    """Only administrators reach Django's back office (``is_staff``) with every permission."""
    user.is_staff = user.is_superuser = user.role == Role.ADMIN


def _validate_account(user: User) -> None:
    if user.role == Role.CLIENT and user.client_id is None:
        raise ValidationError({"client": _("Choose the client organisation of this client user.")})
    if user.role != Role.CLIENT:
        user.client = None
    user.full_clean(exclude=["password"])


def check_admin_access(user: User, *, actor: User | None, role: str, is_active: bool) -> None:
    """Refuse giving ``user`` (still as stored) this role/status if it locks administration out.

    Nobody removes their own administrator access or deactivates themselves, and the last
    active administrator stays one. Precondition: inside the transaction that writes the
    change, since it locks the administrators' rows.
    """
    if role == Role.ADMIN and is_active:
        return
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(
            _("You cannot remove your own administrator access or deactivate yourself.")
        )
    if user.role == Role.ADMIN and user.is_active:
        others = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
        if not others.exclude(pk=user.pk).exists():
            raise ValidationError(_("Charter needs at least one active administrator."))


@transaction.atomic
def create_user(*, actor: User | None, password: str | None = None, **fields: Any) -> User:
    """Create an account. Without ``password`` the account cannot sign in until a reset."""
    user = User(**fields)
    _validate_account(user)
    sync_role_flags(user)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record_created(user, USER_ADMIN_FIELDS, actor=actor)
    return user


@transaction.atomic
def update_user(user: User, *, actor: User, expected_version: int, **changes: Any) -> User:
    """Change an account's role, organisation, profile or status (admin).

    Raises StaleEdit if someone saved the account since ``expected_version``; refuses to leave
    the system without an active administrator.
    """
    before = audit.snapshot(user, USER_ADMIN_FIELDS)
    if unknown := set(changes) - set(USER_ADMIN_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} is not editable here")
    check_admin_access(
        user,
        actor=actor,
        role=changes.get("role", user.role),
        is_active=changes.get("is_active", user.is_active),
    )
    for name, value in changes.items():
        setattr(user, name, value)
    _validate_account(user)
    sync_role_flags(user)
    # "client" always: _validate_account clears it when the role stops being client.
    update_versioned(
        user,
        expected_version=expected_version,
        fields={*changes, "client", "is_staff", "is_superuser"},
    )
    changed = audit.diff(before, audit.snapshot(user, USER_ADMIN_FIELDS))
    if changed:
        audit.record(user, "updated", actor=actor, changes=changed)
    return user


@transaction.atomic
def set_preferences(user: User, *, language: str, time_zone: str) -> User:
    """The signed-in user's own language and time zone."""
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password", "username"])
    # No version check (a one-click switch), but the version moves on so an administrator's
    # open edit form of this account notices instead of writing the old preferences back.
    User.objects.filter(pk=user.pk).update(
        language=language, time_zone=time_zone, version=F("version") + 1, updated_at=timezone.now()
    )
    user.refresh_from_db(fields=["version", "updated_at"])
    return user


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    user: User, *, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new personal token; returns it with the raw secret, which is never stored."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user, name=name, prefix=prefix, token_hash=_hash(raw), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    audit.record(user, "api_token_created", actor=user, changes={"token": [None, str(token)]})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            token.user, "api_token_revoked", actor=actor, changes={"token": [str(token), None]}
        )


def user_for_api_token(raw: str) -> User | None:
    """The active user behind a raw token, or None for an unknown, revoked or expired one."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _email_task() -> Any:
    # Imported late: the task module imports models, and services are imported by models' users.
    from charter.accounts.tasks import send_account_email

    return send_account_email


@transaction.atomic
def update_profile(
    user: User,
    *,
    expected_version: int,
    display_name: str,
    email: str,
    language: str,
    time_zone: str,
) -> User:
    """The signed-in user's own name, e-mail and preferences.

    Raises StaleEdit if the account was saved (e.g. by an administrator) since
    ``expected_version``; ValidationError for an unknown language or time zone.
    """
    before = audit.snapshot(user, PROFILE_FIELDS)
    user.display_name, user.email = display_name, email
    user.language, user.time_zone = language, time_zone
    user.full_clean(exclude=["password", "username"])
    update_versioned(user, expected_version=expected_version, fields=PROFILE_FIELDS)
    changed = audit.diff(before, audit.snapshot(user, PROFILE_FIELDS))
    if changed:
        audit.record(user, "updated", actor=user, changes=changed)
    return user


@transaction.atomic
def change_password(user: User, *, password: str, actor: User) -> User:
    """Store a new password (already validated by the form) and audit it, never its value."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(user, "password_changed", actor=actor)
    return user


@transaction.atomic
def request_password_reset(email: str, *, base_url: str) -> int:
    """Queue a reset e-mail to every active account with this address; how many is not shown.

    Accounts still waiting for their invitation (no usable password) are included, so an
    invitee whose link expired can use "forgot password" instead of asking an administrator.
    """
    users = User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(email="")
    send = _email_task()
    count = 0
    for user in users:
        send.enqueue(user.pk, "password_reset", base_url)
        count += 1
    return count


@transaction.atomic
def invite_user(user: User, *, actor: User, base_url: str) -> None:
    """E-mail a set-password link to a new account; the link is a password-reset token."""
    if not user.email:
        raise ValidationError({"email": _("Enter an e-mail address to send the invitation to.")})
    if not user.is_active:
        raise ValidationError(_("This account is deactivated; activate it before inviting."))
    audit.record(user, "invited", actor=actor, changes={"email": [None, user.email]})
    # The database task backend stores the job in this transaction, so it exists iff we commit.
    _email_task().enqueue(user.pk, "invitation", base_url)


@transaction.atomic
def add_user(*, actor: User, password: str | None = None, base_url: str, **fields: Any) -> User:
    """Create an account; without an initial password, invite the person by e-mail."""
    if not password and not fields.get("email"):
        raise ValidationError(
            {"email": _("Enter an e-mail address for the invitation, or set an initial password.")}
        )
    user = create_user(actor=actor, password=password, **fields)
    if not password:
        invite_user(user, actor=actor, base_url=base_url)
    return user
