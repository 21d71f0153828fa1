from django.apps import apps
from django.db.models import Prefetch

from charter.planning.querysets import InProjectQuerySet


class ChangeRequestQuerySet(InProjectQuerySet):
    policy_object = "changes.change_request"

    def client_visible(self) -> "ChangeRequestQuerySet":
        """The change requests marked visible to the client (the client view of the plan)."""
        return self.filter(client_visible=True)

    def for_list(self) -> "ChangeRequestQuerySet":
        """With who asked, who decided and the requirements' codes: lists and the API read
        each row in a constant number of queries."""
        requirement = apps.get_model("discovery", "Requirement")
        requirements = requirement.objects.only("pk", "code", "number", "title")
        return self.select_related("requested_by", "decided_by").prefetch_related(
            Prefetch("requirements", queryset=requirements)
        )
