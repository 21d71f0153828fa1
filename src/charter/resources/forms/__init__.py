"""Resources forms, one module per area; the package re-exports what the pool's template
tags use."""

from charter.resources.forms.pool import AssignForm, AssignmentForm, hours_of, percent_of

__all__ = ["AssignForm", "AssignmentForm", "hours_of", "percent_of"]
