"""Discovery verbs, one module per area."""

from charter.discovery.services.requirements import (
    AUDITED_FIELDS,
    EDITABLE_FIELDS,
    carry_requirements,
    create_requirement,
    update_requirement,
)

__all__ = [
    "AUDITED_FIELDS",
    "EDITABLE_FIELDS",
    "carry_requirements",
    "create_requirement",
    "update_requirement",
]
