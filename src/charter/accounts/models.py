import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.choices import Language, Role
from charter.accounts.querysets import ApiTokenQuerySet, UserManager
from charter.core.models import VersionedModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class User(VersionedModel, AbstractUser):
    """A person who signs in. ``client`` binds a client user to one client organisation."""

    display_name = models.CharField(
        _("name"), max_length=150, blank=True, help_text=_("As colleagues and clients see it.")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.MEMBER)
    client = models.ForeignKey(
        "crm.Client",
        verbose_name=_("client organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_users",
        help_text=_("Required for client users, who see only this client's shared items."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language, default=Language.ZH_HANS
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )

    objects = UserManager()

    charter_history = True

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.CLIENT) & Q(client__isnull=False))
                | (~Q(role=Role.CLIENT) & Q(client__isnull=True)),
                name="accounts_user_client_iff_client_role",
                violation_error_message=_(
                    "Client users need a client organisation; other roles have none."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 hash is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
