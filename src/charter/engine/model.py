"""The engine's input and output. Time inside the scheduler is an integer count of working
minutes from the start of the calendar's range (see ``calendar.WorkCalendar``): scheduling is
integer arithmetic, and dates are converted once, at the edges."""

from dataclasses import dataclass
from enum import StrEnum


class LinkType(StrEnum):
    FS = "FS"  # successor starts after predecessor finishes
    SS = "SS"  # successor starts after predecessor starts
    FF = "FF"  # successor finishes after predecessor finishes
    SF = "SF"  # successor finishes after predecessor starts


class Constraint(StrEnum):
    ASAP = "ASAP"  # as soon as possible
    ALAP = "ALAP"  # as late as possible
    SNET = "SNET"  # start no earlier than
    SNLT = "SNLT"  # start no later than
    FNET = "FNET"  # finish no earlier than
    FNLT = "FNLT"  # finish no later than
    MSO = "MSO"  # must start on
    MFO = "MFO"  # must finish on


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    duration: int  # working minutes; 0 is a milestone
    constraint: Constraint = Constraint.ASAP
    constraint_at: int | None = None  # working-minute index, for every constraint but ASAP/ALAP


@dataclass(frozen=True, slots=True)
class Link:
    predecessor: int
    successor: int
    type: LinkType = LinkType.FS
    lag: int = 0  # working minutes; negative is a lead


@dataclass(frozen=True, slots=True)
class Timing:
    """One task's computed dates (working-minute indexes) and floats (working minutes)."""

    early_start: int
    early_finish: int
    late_start: int
    late_finish: int
    total_float: int
    free_float: int
    critical: bool
    violated: bool = False  # a hard constraint (MSO/MFO/SNLT/FNLT) could not be met


class CycleError(ValueError):
    """The links form a cycle; ``tasks`` are the ids on it, in order."""

    def __init__(self, tasks: list[int]) -> None:
        self.tasks = tasks
        super().__init__("the links form a cycle: " + " → ".join(map(str, [*tasks, tasks[0]])))
