from typing import Any

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from charter.core import policy


class UserQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "UserQuerySet":
        """Admins manage every account; others may read only their own."""
        if policy.allows(user, "accounts.user", action):
            return self.select_related("client")
        if action == "view" and policy.role_of(user) != policy.ANONYMOUS:
            return self.select_related("client").filter(pk=user.pk)
        return self.none()


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager (create_user …) with ``for_user`` scoping."""


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ApiTokenQuerySet":
        """Everyone signed in manages their own tokens and nobody else's."""
        if not policy.allows(user, "accounts.apitoken", action):
            return self.none()
        return self.filter(user=user)

    def active(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at=None)
