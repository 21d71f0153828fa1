from charter.planning.models.baselines import BASELINE_SLOTS, Baseline, BaselineTask
from charter.planning.models.calendars import Calendar, CalendarException
from charter.planning.models.goals import Goal, ScopeItem
from charter.planning.models.projects import KickoffItem, Project, Stakeholder
from charter.planning.models.raid import Assumption, Decision, ProjectIssue, Risk
from charter.planning.models.tasks import MINUTES_PER_DAY, Dependency, Task
from charter.planning.models.templates import (
    ProjectTemplate,
    TemplateChecklistItem,
    TemplateCommunication,
    TemplatePhase,
    TemplateRisk,
    TemplateTask,
)

__all__ = [
    "BASELINE_SLOTS",
    "MINUTES_PER_DAY",
    "Assumption",
    "Baseline",
    "BaselineTask",
    "Calendar",
    "CalendarException",
    "Decision",
    "Dependency",
    "Goal",
    "KickoffItem",
    "Project",
    "ProjectIssue",
    "ProjectTemplate",
    "Risk",
    "ScopeItem",
    "Stakeholder",
    "Task",
    "TemplateChecklistItem",
    "TemplateCommunication",
    "TemplatePhase",
    "TemplateRisk",
    "TemplateTask",
]
