import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.accounts.choices import Role
from charter.accounts.models import ApiToken, User
from charter.core import audit
from charter.core.concurrency import update_versioned

USER_ADMIN_FIELDS = ("display_name", "email", "role", "client", "language", "time_zone", "is_active")
TOKEN_PREFIX = "chr_"
# A token seen in use is stamped at most this often, so reading the API costs no write per call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def _sync_role_flags(user: User) -> None:
    user.is_staff = user.is_superuser = user.role == Role.ADMIN


def _validate_account(user: User, *, actor: User | None) -> None:
    if user.role == Role.CLIENT and user.client_id is None:
        raise ValidationError({"client": _("Choose the client organisation of this client user.")})
    if user.role != Role.CLIENT:
        user.client = None
    if actor is not None and actor.pk == user.pk and (not user.is_active or user.role != Role.ADMIN):
        raise ValidationError(_("You cannot remove your own administrator access or deactivate yourself."))
    user.full_clean(exclude=["password"])


@transaction.atomic
def create_user(*, actor: User | None, password: str | None = None, **fields: Any) -> User:
    """Create an account. Without ``password`` the account cannot sign in until a reset."""
    user = User(**fields)
    _validate_account(user, actor=None)
    _sync_role_flags(user)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(user, "created", actor=actor, changes=audit.snapshot(user, USER_ADMIN_FIELDS))
    return user


@transaction.atomic
def update_user(user: User, *, actor: User, expected_version: int, **changes: Any) -> User:
    """Change an account's role, organisation, profile or status (admin).

    Raises StaleEdit if someone saved the account since ``expected_version``; refuses to leave
    the system without an active administrator.
    """
    before = audit.snapshot(user, USER_ADMIN_FIELDS)
    for name, value in changes.items():
        if name not in USER_ADMIN_FIELDS:
            raise ValueError(f"{name} is not editable here")
        setattr(user, name, value)
    _validate_account(user, actor=actor)
    _sync_role_flags(user)
    was_admin = before["role"] == Role.ADMIN and before["is_active"]
    if was_admin and not (user.role == Role.ADMIN and user.is_active):
        others = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
        if not others.exclude(pk=user.pk).exists():
            raise ValidationError(_("Charter needs at least one active administrator."))
    update_versioned(
        user, expected_version=expected_version, fields=[*changes, "is_staff", "is_superuser"]
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
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language", "time_zone"])
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
    token = ApiToken(user=user, name=name, prefix=prefix, token_hash=_hash(raw), expires_at=expires_at)
    token.full_clean()
    token.save()
    audit.record(user, "api_token_created", actor=user, changes={"token": [None, str(token)]})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(token.user, "api_token_revoked", actor=actor, changes={"token": [str(token), None]})


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
