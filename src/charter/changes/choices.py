from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    """A change request's way: proposed, then approved or rejected; an approved change is
    implemented once the plan and the requirements carry it."""

    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")


# Which status may follow which (a decision, then implementation).
NEXT_STATUSES = {
    ChangeStatus.PROPOSED: (ChangeStatus.APPROVED, ChangeStatus.REJECTED),
    ChangeStatus.APPROVED: (ChangeStatus.IMPLEMENTED,),
    ChangeStatus.REJECTED: (),
    ChangeStatus.IMPLEMENTED: (),
}

# The colour of each status's badge (a Tabler colour: the badge is ``bg-<colour>-lt``).
STATUS_COLOURS = {
    ChangeStatus.PROPOSED: "blue",
    ChangeStatus.APPROVED: "green",
    ChangeStatus.REJECTED: "secondary",
    ChangeStatus.IMPLEMENTED: "teal",
}
