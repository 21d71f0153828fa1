from typing import Any, Self

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When

from charter.core import policy


class OnProjectOrDealQuerySet(models.QuerySet):
    """Rows of the projects and deals the user may see, under the model's policy
    (``discovery.<model>``): members reach those of their own projects and every deal."""

    def for_user(self, user: Any, action: str = "view") -> Self:
        from charter.crm.models import Opportunity
        from charter.planning.models import Project

        if not policy.allows(user, self.model._meta.label_lower, action):
            return self.none()
        projects = Project.objects.for_user(user).values("pk")
        deals = Opportunity.objects.for_user(user).values("pk")
        return self.filter(Q(project__in=projects) | Q(opportunity__in=deals))


class RequirementQuerySet(OnProjectOrDealQuerySet):
    def for_list(self) -> "RequirementQuerySet":
        """What a list row shows, in one query."""
        return self.select_related("owner").annotate(priority_rank=priority_rank())


class QuestionnaireQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "QuestionnaireQuerySet":
        """The questionnaire library is shared by the whole staff."""
        if not policy.allows(user, "discovery.questionnaire", action):
            return self.none()
        return self.all()


def priority_rank() -> Case:
    from charter.discovery.choices import Priority

    ranks = [When(priority=value, then=Value(i)) for i, value in enumerate(Priority.values)]
    return Case(*ranks, output_field=IntegerField())
