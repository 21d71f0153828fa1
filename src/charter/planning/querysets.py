from typing import Any

from django.db import models
from django.db.models import Q

from charter.core import policy
from charter.planning.choices import ProjectStatus


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ProjectQuerySet":
        """Managers and admins see every project; members the projects they manage or are on.

        Client users see no project here: the portal shows them their own, client-visible parts.
        """
        if not policy.allows(user, "planning.project", action):
            return self.none()
        if policy.role_of(user) in policy.MANAGERS:
            return self.all()
        return self.involving(user)

    def involving(self, user: Any) -> "ProjectQuerySet":
        """Projects the user manages or is on the team of."""
        return self.filter(Q(manager=user) | Q(members=user)).distinct()

    def running(self) -> "ProjectQuerySet":
        """Not closed and not cancelled."""
        return self.exclude(status__in=[ProjectStatus.CLOSED, ProjectStatus.CANCELLED])


class ProjectTemplateQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ProjectTemplateQuerySet":
        if not policy.allows(user, "planning.projecttemplate", action):
            return self.none()
        return self.all()
