"""Rows the comms tests share."""

import datetime

from django.utils import timezone

from charter.comms import plan
from charter.comms.models import CommunicationItem, CommunicationOccurrence, OccurrenceStatus


def missed_occurrence(item: CommunicationItem, days_ago: int = 2) -> CommunicationOccurrence:
    """An occurrence of ``item`` the scheduler missed ``days_ago`` days ago."""
    gone = timezone.localdate() - datetime.timedelta(days=days_ago)
    return CommunicationOccurrence.objects.create(
        item=item,
        nominal_on=gone,
        on=gone,
        due_at=plan.occurs_at(item, gone),
        status=OccurrenceStatus.MISSED,
        outcome="The scheduler was not running.",
    )
