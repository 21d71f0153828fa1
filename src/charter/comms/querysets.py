from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from charter.core import policy


class ChatRobotQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ChatRobotQuerySet":
        """Robots of the projects the user may see, and of clients (staff only)."""
        if not policy.allows(user, "comms.chatrobot", action):
            return self.none()
        projects = apps.get_model("planning", "Project").objects.for_user(user)
        clients = apps.get_model("crm", "Client").objects.for_user(user)
        return self.filter(Q(project__in=projects) | Q(client__in=clients))


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "MeetingQuerySet":
        """Meetings of the projects the user may see (client users: none)."""
        if not policy.allows(user, "comms.meeting", action):
            return self.none()
        projects = apps.get_model("planning", "Project").objects.for_user(user)
        return self.filter(project__in=projects)


class CommunicationItemQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "CommunicationItemQuerySet":
        """Plan items of the projects the user may see (client users: none)."""
        if not policy.allows(user, "comms.communication", action):
            return self.none()
        projects = apps.get_model("planning", "Project").objects.for_user(user)
        return self.filter(project__in=projects)


class MessageTemplateQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "MessageTemplateQuerySet":
        """Templates are shared by the whole team."""
        return self.all() if policy.allows(user, "comms.messagetemplate", action) else self.none()
