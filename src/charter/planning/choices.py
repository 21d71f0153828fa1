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


class TaskConstraint(models.TextChoices):
    """The engine's constraint kinds (``charter.engine.model.Constraint``), named as MS Project
    names them."""

    ASAP = "ASAP", _("As soon as possible")
    ALAP = "ALAP", _("As late as possible")
    SNET = "SNET", _("Start no earlier than")
    SNLT = "SNLT", _("Start no later than")
    FNET = "FNET", _("Finish no earlier than")
    FNLT = "FNLT", _("Finish no later than")
    MSO = "MSO", _("Must start on")
    MFO = "MFO", _("Must finish on")


class DependencyType(models.TextChoices):
    FS = "FS", _("Finish-to-start (FS)")
    SS = "SS", _("Start-to-start (SS)")
    FF = "FF", _("Finish-to-finish (FF)")
    SF = "SF", _("Start-to-finish (SF)")


class ExceptionSource(models.TextChoices):
    LIBRARY = "library", _("Public holiday data")
    MANUAL = "manual", _("Entered by hand")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", _("Closed")


class AssumptionStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not yet verified")
    VALID = "valid", _("Holds")
    INVALID = "invalid", _("Does not hold")


class IssueSeverity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
