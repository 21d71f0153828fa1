from typing import Any

from django.db import models
from django.db.models import Q

from charter.core import policy


class ClientQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ClientQuerySet":
        """Staff see every client; a client user sees only their own organisation's row
        (for the portal and its shared files — CRM pages themselves need ``detail``)."""
        if not policy.allows(user, "crm.client", action):
            return self.none()
        if policy.role_of(user) == policy.CLIENT:
            return self.filter(pk=user.client_id)
        return self.all()

    def search(self, query: str) -> "ClientQuerySet":
        """Clients whose name or short name contains ``query`` (all when it is blank)."""
        query = query.strip()
        if not query:
            return self
        return self.filter(Q(name__icontains=query) | Q(short_name__icontains=query))


class StaffOnlyQuerySet(models.QuerySet):
    """CRM rows: staff see them all, client users none (policy resource given by the model)."""

    resource = ""

    def for_user(self, user: Any, action: str = "view") -> Any:
        if not policy.allows(user, self.resource, action):
            return self.none()
        return self.all()


class ContactQuerySet(StaffOnlyQuerySet):
    resource = "crm.contact"


class OpportunityQuerySet(StaffOnlyQuerySet):
    resource = "crm.opportunity"


class InteractionQuerySet(StaffOnlyQuerySet):
    resource = "crm.interaction"


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "import") -> "ImportJobQuerySet":
        """Import jobs: whoever may import (managers, admins) sees them all; nobody else any."""
        if not policy.allows(user, "crm.client", "import"):
            return self.none()
        return self.select_related("created_by")
