from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    """MS Project's resource types, plus equipment (Primavera's "nonlabor"): scheduled in time
    like people, but never a colleague, a generic resource or a candidate for a need."""

    WORK = "work", _("Work (people)")
    EQUIPMENT = "equipment", _("Equipment")
    MATERIAL = "material", _("Material")
    COST = "cost", _("Cost")


# The kinds worked in time: on a calendar, at units, for working minutes of effort, costed per
# hour. ``ResourceKind.WORK`` alone means "a person" (timesheets, needs, generic resources).
TIME_BASED = (ResourceKind.WORK, ResourceKind.EQUIPMENT)


class CostCategory(models.TextChoices):
    LABOUR = "labour", _("Labour")
    EQUIPMENT = "equipment", _("Equipment")
    TRAVEL = "travel", _("Travel")
    PURCHASES = "purchases", _("Purchases")
    CONTINGENCY = "contingency", _("Contingency")


class LevelingMode(models.TextChoices):
    FAST = "fast", _("Fast")
    OPTIMISE = "optimise", _("Optimise")


class LevelingScope(models.TextChoices):
    PROJECT = "project", _("Within this project")
    ACROSS = "across", _("Across projects")


class ProposalStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class TimesheetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
