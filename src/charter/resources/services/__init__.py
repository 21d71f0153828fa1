"""The verbs of resources, one module per area: the pool and assignments, rates, needs and
the needs report, timesheets, leveling, the budget and its report.

The pool's verbs, which other apps call, are importable from here
(``charter.resources.services``); the others from their module.
"""

from charter.resources.services.pool import (
    ASSIGNMENT_FIELDS,
    MINUTES_PER_HOUR,
    RESOURCE_FIELDS,
    assign,
    assignable_resources,
    create_resource,
    deactivate_resource,
    default_work,
    delete_resource,
    filter_resources,
    sees_rates,
    unassign,
    update_assignment,
    update_resource,
    with_tasks,
)

__all__ = [
    "ASSIGNMENT_FIELDS",
    "MINUTES_PER_HOUR",
    "RESOURCE_FIELDS",
    "assign",
    "assignable_resources",
    "create_resource",
    "deactivate_resource",
    "default_work",
    "delete_resource",
    "filter_resources",
    "sees_rates",
    "unassign",
    "update_assignment",
    "update_resource",
    "with_tasks",
]
