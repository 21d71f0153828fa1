from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from charter.core import policy
from charter.planning.querysets import InProjectQuerySet
from charter.resources.choices import TimesheetStatus


class ResourceQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "ResourceQuerySet":
        """Every colleague sees the resource pool; client users see none of it."""
        if not policy.allows(user, "resources.resource", action):
            return self.none()
        return self.all()


class OnTaskQuerySet(models.QuerySet):
    """Rows on a task (``task``): those on the tasks of projects the user may see, when the
    policy of ``policy_object`` allows the action."""

    policy_object = ""

    def for_user(self, user: Any, action: str = "view") -> "OnTaskQuerySet":
        if not policy.allows(user, self.policy_object, action):
            return self.none()
        projects = apps.get_model("planning", "Project").objects.for_user(user)
        return self.filter(task__project__in=projects)


class AssignmentQuerySet(OnTaskQuerySet):
    policy_object = "resources.assignment"


class BudgetLineQuerySet(InProjectQuerySet):
    policy_object = "resources.budget"


class ExpenseQuerySet(InProjectQuerySet):
    policy_object = "resources.expense"


class LevelingProposalQuerySet(InProjectQuerySet):
    policy_object = "resources.leveling"

    def for_user(self, user: Any, action: str = "view") -> "LevelingProposalQuerySet":
        """The proposals of projects the user may see, with what their pages show."""
        rows = super().for_user(user, action)
        return rows.select_related("project", "created_by", "applied_by")


class TimesheetQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "TimesheetQuerySet":
        """A person's own sheets; besides, for ``view``, the sheets sent in (not drafts) that
        touch a project the user manages, and for an administrator every sheet sent in."""
        if not policy.allows(user, "resources.timesheet", action):
            return self.none()
        own = Q(user=user)
        if action != "view":
            return self.filter(own)
        sent = ~Q(status=TimesheetStatus.DRAFT)
        if policy.role_of(user) == policy.ADMIN:
            return self.filter(own | sent)
        managed = Q(entries__task__project__manager=user)
        return self.filter(own | Q(pk__in=self.model.objects.filter(sent & managed).values("pk")))

    def to_decide_by(self, user: Any) -> "TimesheetQuerySet":
        """Submitted sheets of other people that ``user`` may approve or reject."""
        rows = self.filter(status=TimesheetStatus.SUBMITTED).exclude(user=user)
        if policy.role_of(user) == policy.ADMIN:
            return rows
        if policy.role_of(user) != policy.MANAGER:
            return rows.none()
        managed = self.model.objects.filter(entries__task__project__manager=user).values("pk")
        return rows.filter(pk__in=managed)


class TaskNeedQuerySet(OnTaskQuerySet):
    policy_object = "resources.need"

    def for_user(self, user: Any, action: str = "view") -> "TaskNeedQuerySet":
        """The needs on tasks of projects the user may see, with what their pages show."""
        rows = super().for_user(user, action)
        return rows.select_related("task__project", "role", "skill")
