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


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating scale")
    NPS = "nps", _("NPS (0–10)")
    RANKING = "ranking", _("Ranking")
    DATE = "date", _("Date")
    KANO = "kano", _("Kano pair")


class KanoAnswer(models.TextChoices):
    """The five answers of a Kano question, in the usual order."""

    LIKE = "like", _("I like it that way")
    EXPECT = "expect", _("It must be that way")
    NEUTRAL = "neutral", _("I am neutral")
    TOLERATE = "tolerate", _("I can live with it that way")
    DISLIKE = "dislike", _("I dislike it that way")


class KanoCategory(models.TextChoices):
    MUST_BE = "must_be", _("Must-be")
    PERFORMANCE = "performance", _("Performance")
    ATTRACTIVE = "attractive", _("Attractive")
    INDIFFERENT = "indifferent", _("Indifferent")
    REVERSE = "reverse", _("Reverse")
    QUESTIONABLE = "questionable", _("Questionable")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CONFIRMED = "confirmed", _("Confirmed")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class DocumentSection(models.TextChoices):
    """The sections of a requirements document, in this order."""

    BACKGROUND = "background", _("Business background")
    GOALS = "goals", _("Goals")
    REQUIREMENTS = "requirements", _("Specific requirements")
    EXPECTATIONS = "expectations", _("Expectations")
    CONSTRAINTS = "constraints", _("Constraints")
    SCOPE = "scope", _("Scope")
    GLOSSARY = "glossary", _("Glossary")
