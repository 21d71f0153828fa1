"""Resources forms, one module per area."""

from charter.resources.forms.pool import (
    AssignForm,
    AssignmentForm,
    ResourceEditForm,
    ResourceFilterForm,
    ResourceForm,
    hours_field,
    hours_of,
    minutes_of,
    percent_field,
    percent_of,
    units_of,
)

__all__ = [
    "AssignForm",
    "AssignmentForm",
    "ResourceEditForm",
    "ResourceFilterForm",
    "ResourceForm",
    "hours_field",
    "hours_of",
    "minutes_of",
    "percent_field",
    "percent_of",
    "units_of",
]
