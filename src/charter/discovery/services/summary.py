"""Where discovery stands on a project or a deal, for the card on its page."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q

from charter.discovery.choices import RequirementStatus
from charter.discovery.models import (
    Finding,
    FocusGroup,
    Interview,
    Invitation,
    Requirement,
    RequirementsDocument,
)
from charter.discovery.models.base import parent_field
from charter.discovery.services.documents import DocumentStatus, document_status


@dataclass(frozen=True)
class DiscoverySummary:
    requirements: dict[str, int]  # status → count
    latent: int
    findings_waiting: int  # not yet behind a requirement
    interviews: int
    focus_groups: int
    invited: int
    answered: int
    document: RequirementsDocument | None
    document_status: DocumentStatus | None

    @property
    def requirement_total(self) -> int:
        return sum(self.requirements.values())

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.answered / self.invited) if self.invited else None

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) in the statuses' order, only those present."""
        return [
            (status.value, str(status.label), self.requirements[status.value])
            for status in RequirementStatus
            if self.requirements.get(status.value)
        ]


def discovery_summary(parent: models.Model) -> DiscoverySummary:
    """Counts of the parent's discovery records in a fixed number of queries."""
    scope: dict[str, Any] = {parent_field(parent): parent}
    requirements = Requirement.objects.filter(**scope)
    by_status = dict(
        requirements.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    invitations = Invitation.objects.filter(
        **{f"campaign__{name}": value for name, value in scope.items()}
    ).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(response__submitted_at__isnull=False))
    )
    document = RequirementsDocument.objects.filter(**scope).first()
    return DiscoverySummary(
        requirements=by_status,
        latent=requirements.filter(latent_need=True).count(),
        findings_waiting=Finding.objects.filter(**scope, requirement__isnull=True).count(),
        interviews=Interview.objects.filter(**scope).count(),
        focus_groups=FocusGroup.objects.filter(**scope).count(),
        invited=invitations["invited"],
        answered=invitations["answered"],
        document=document,
        document_status=document_status(document) if document is not None else None,
    )
