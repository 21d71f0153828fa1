"""resources' tables, one module per area; import them from here."""

from charter.resources.models.budget import BudgetLine, Expense
from charter.resources.models.leveling import LevelingProposal
from charter.resources.models.needs import RateChange, ResourceSkill, Role, Skill, TaskNeed
from charter.resources.models.pool import Assignment, Resource
from charter.resources.models.timesheets import Timesheet, TimesheetEntry

__all__ = [
    "Assignment",
    "BudgetLine",
    "Expense",
    "LevelingProposal",
    "RateChange",
    "Resource",
    "ResourceSkill",
    "Role",
    "Skill",
    "TaskNeed",
    "Timesheet",
    "TimesheetEntry",
]
