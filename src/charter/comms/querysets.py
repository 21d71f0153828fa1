from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404

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

    def client_visible(self) -> "CommunicationItemQuerySet":
        """The active plan items marked visible to the client (the client view of the plan)."""
        return self.filter(client_visible=True, is_active=True)


class MessageTemplateQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "MessageTemplateQuerySet":
        """Templates are shared by the whole team."""
        return self.all() if policy.allows(user, "comms.messagetemplate", action) else self.none()


# ---- lookups shared by the pages and the API --------------------------------------------------

PARENT_MODELS = {"project": ("planning", "Project"), "client": ("crm", "Client")}


def visible_parent(user: Any, kind: str, pk: int) -> Any:
    """The project (members: only theirs) or client (``kind``) the user may see, else 404."""
    model = apps.get_model(*PARENT_MODELS[kind])
    return get_object_or_404(model._default_manager.for_user(user), pk=pk)


def visible_item(user: Any, pk: int, action: str = "view") -> Any:
    """The communication plan item ``pk`` if the user may ``action`` it (with what sending it
    reads), else 404."""
    rows = (
        apps.get_model("comms", "CommunicationItem")
        .objects.for_user(user, action)
        .select_related("project__client", "owner", "robot", "template", "campaign")
    )
    return get_object_or_404(rows, pk=pk)
