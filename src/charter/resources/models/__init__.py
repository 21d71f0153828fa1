"""resources' tables, one module per area; import them from here."""

from charter.resources.models.leveling import (
    LevelingMode,
    LevelingProposal,
    LevelingScope,
    ProposalStatus,
)
from charter.resources.models.pool import Assignment, Resource
from charter.resources.models.timesheets import Timesheet, TimesheetEntry, TimesheetStatus

__all__ = [
    "Assignment",
    "LevelingMode",
    "LevelingProposal",
    "LevelingScope",
    "ProposalStatus",
    "Resource",
    "Timesheet",
    "TimesheetEntry",
    "TimesheetStatus",
]
