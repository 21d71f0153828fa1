from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementType(models.TextChoices):
    BUSINESS_GOAL = "business_goal", _("Business goal")
    FUNCTIONAL = "functional", _("Functional requirement")
    NON_FUNCTIONAL = "non_functional", _("Non-functional requirement")
    CONSTRAINT = "constraint", _("Constraint")
    EXPECTATION = "expectation", _("Expectation")


class Priority(models.TextChoices):
    """MoSCoW, in this order."""

    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")
    WONT = "wont", _("Won't have")


class RequirementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CHANGED = "changed", _("Changed")
    DELIVERED = "delivered", _("Delivered")
