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
