from typing import Any

from django.db import models
from django.db.models import Q

from charter.core import policy


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ProjectQuerySet":
        """Managers and admins see every project; members the projects they manage or are on.

        Client users see no project here: the portal shows them their own, client-visible parts.
        """
        if not policy.allows(user, "planning.project", action):
            return self.none()
        if policy.role_of(user) in policy.MANAGERS:
            return self.all()
        return self.filter(Q(manager=user) | Q(members=user)).distinct()


class ProjectTemplateQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ProjectTemplateQuerySet":
        if not policy.allows(user, "planning.projecttemplate", action):
            return self.none()
        return self.all()
