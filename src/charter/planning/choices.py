from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    INITIATING = "initiating", _("Initiating")
    PLANNING = "planning", _("Planning")
    EXECUTING = "executing", _("Executing")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class RiskLevel(models.IntegerChoices):
    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    MEDIUM = 3, _("Medium")
    HIGH = 4, _("High")
    VERY_HIGH = 5, _("Very high")


class RiskResponse(models.TextChoices):
    AVOID = "avoid", _("Avoid")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept")
