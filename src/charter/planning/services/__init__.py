"""The verbs of planning, one module per area: templates, conversion of won deals, projects.

The verbs other apps call are importable from here (``charter.planning.services``).
"""

from charter.planning.services.conversion import (
    convert_opportunity,
    convert_opportunity_automatically,
)
from charter.planning.services.projects import set_kickoff_done, update_project
from charter.planning.services.templates import (
    clone_template,
    create_template,
    delete_template,
    update_template,
)

__all__ = [
    "clone_template",
    "convert_opportunity",
    "convert_opportunity_automatically",
    "create_template",
    "delete_template",
    "set_kickoff_done",
    "update_project",
    "update_template",
]
