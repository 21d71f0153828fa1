from typing import Any

from django.apps import apps
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

    def shared_with(self, user: Any) -> "ProjectQuerySet":
        """What the client-facing plan may show ``user``: a client user the running and closed
        projects of their own organisation; staff the projects they may see."""
        if policy.role_of(user) == policy.CLIENT:
            if not policy.allows(user, "planning.clientplan", "view"):
                return self.none()
            return self.filter(client_id=user.client_id).exclude(status=ProjectStatus.CANCELLED)
        return self.for_user(user)

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


def _visible_projects(user: Any) -> models.QuerySet:
    return apps.get_model("planning", "Project").objects.for_user(user)


class CalendarQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "CalendarQuerySet":
        """Shared calendars and the own calendars of projects the user may see."""
        if not policy.allows(user, "planning.calendar", action):
            return self.none()
        return self.filter(Q(project__isnull=True) | Q(project__in=_visible_projects(user)))


class InProjectQuerySet(models.QuerySet):
    """Rows that belong to a project: visible with the project."""

    policy_object = ""

    def for_user(self, user: Any, action: str = "view") -> "InProjectQuerySet":
        if not policy.allows(user, self.policy_object, action):
            return self.none()
        if policy.role_of(user) in policy.MANAGERS:
            return self.all()
        return self.filter(project__in=_visible_projects(user))


class TaskQuerySet(InProjectQuerySet):
    policy_object = "planning.task"

    def client_visible(self) -> "TaskQuerySet":
        """The tasks and milestones marked visible to the client."""
        return self.filter(client_visible=True)


class RaidQuerySet(InProjectQuerySet):
    policy_object = "planning.raid"


class GoalQuerySet(InProjectQuerySet):
    policy_object = "planning.goal"


def visible_project(user: Any, pk: Any) -> Any:
    """The project ``pk`` if ``user`` may see it (with its client and manager), else Http404:
    exactly like a project that does not exist. Every page and API operation of a project's
    parts starts here."""
    from django.http import Http404

    projects = apps.get_model("planning", "Project").objects.for_user(user)
    try:
        return projects.select_related("client", "manager").get(pk=pk)
    except (ValueError, TypeError, projects.model.DoesNotExist):
        raise Http404 from None
