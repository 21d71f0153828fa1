from typing import Any

from django.apps import apps
from django.db import models

from charter.core import policy


class ResourceQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ResourceQuerySet":
        """Every colleague sees the resource pool; client users see none of it."""
        if not policy.allows(user, "resources.resource", action):
            return self.none()
        return self.all()


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "AssignmentQuerySet":
        """Assignments on the tasks of projects the user may see."""
        if not policy.allows(user, "resources.assignment", action):
            return self.none()
        projects = apps.get_model("planning", "Project").objects.for_user(user)
        return self.filter(task__project__in=projects)
