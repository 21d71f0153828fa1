from typing import Any

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When

from charter.core import policy


class RequirementQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "RequirementQuerySet":
        """Requirements of the projects and deals the user may see; the team may change them."""
        from charter.crm.models import Opportunity
        from charter.planning.models import Project

        if not policy.allows(user, "discovery.requirement", action):
            return self.none()
        projects = Project.objects.for_user(user).values("pk")
        deals = Opportunity.objects.for_user(user).values("pk")
        return self.filter(Q(project__in=projects) | Q(opportunity__in=deals))

    def for_list(self) -> "RequirementQuerySet":
        """What a list row shows, in one query."""
        return self.select_related("owner").annotate(priority_rank=priority_rank())


def priority_rank() -> Case:
    from charter.discovery.choices import Priority

    ranks = [When(priority=value, then=Value(i)) for i, value in enumerate(Priority.values)]
    return Case(*ranks, output_field=IntegerField())
