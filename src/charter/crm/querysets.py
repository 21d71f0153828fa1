from typing import Any

from django.db import models
from django.db.models import Q

from charter.core import policy


class ClientQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ClientQuerySet":
        """Staff see every client; a client user sees only their own organisation."""
        if not policy.allows(user, "crm.client", action):
            return self.none()
        if policy.role_of(user) == policy.CLIENT:
            return self.filter(pk=user.client_id)
        return self.all()

    def search(self, query: str) -> "ClientQuerySet":
        """Clients whose name or short name contains ``query``; every client for a blank one."""
        query = query.strip()
        if not query:
            return self
        return self.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
