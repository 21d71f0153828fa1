from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    """MS Project's resource types."""

    WORK = "work", _("Work (people)")
    MATERIAL = "material", _("Material")
    COST = "cost", _("Cost")
