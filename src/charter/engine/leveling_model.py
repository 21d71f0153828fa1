"""The resource-leveling engine's input and output (``charter.engine.leveling`` runs it).

Time is an integer count of periods (days, usually) from the start of the plan: period ``t``
is the half-open interval ``[t, t + 1)``. An activity that starts at ``s`` with duration ``d``
occupies the periods ``s .. s + d - 1`` and finishes at ``s + d``.

Precedence is one kind of constraint, a generalised **start-to-start minimum lag**::

    successor.start >= predecessor.start + lag        (lag may be negative)

With fixed durations every link type of a plan converts to it exactly (``d_p`` the
predecessor's duration, ``d_s`` the successor's, ``lag`` the link's own lag or lead);
``start_to_start_lag`` does the arithmetic:

========  ===========================================  ===================
link      condition                                    start-to-start lag
========  ===========================================  ===================
FS        successor.start  >= predecessor.finish + lag  ``d_p + lag``
SS        successor.start  >= predecessor.start  + lag  ``lag``
FF        successor.finish >= predecessor.finish + lag  ``d_p + lag - d_s``
SF        successor.finish >= predecessor.start  + lag  ``lag - d_s``
========  ===========================================  ===================

The links must not form a cycle (``model.CycleError`` names one if they do).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from charter.engine.model import LinkType

PRIORITY_MIN = 1
PRIORITY_MAX = 1000
PRIORITY_DEFAULT = 500  # Microsoft Project's default


def start_to_start_lag(kind: LinkType, lag: int, predecessor: int, successor: int) -> int:
    """The start-to-start minimum lag equal to a ``kind`` link with ``lag`` between a
    predecessor of duration ``predecessor`` and a successor of duration ``successor``."""
    match kind:
        case LinkType.FS:
            return predecessor + lag
        case LinkType.SS:
            return lag
        case LinkType.FF:
            return predecessor + lag - successor
        case LinkType.SF:
            return lag - successor
    raise ValueError(f"unknown link type {kind!r}")


@dataclass(frozen=True, slots=True)
class Activity:
    """One piece of work to place.

    ``demand`` maps a resource id to the units the activity uses in every period it runs.
    ``release`` is the earliest allowed start. ``deadline`` (a finish period) is informational:
    it tightens the late start computed for the priority order and a missed one is reported,
    but it never forbids a placement. ``priority`` (1-1000, higher goes first, as in Microsoft
    Project) breaks ties between activities that are equally urgent. ``late_start`` is the
    caller's own latest start (from a calendar-aware CPM, say); when ``None`` the engine
    computes it from the precedence network.
    """

    id: int
    duration: int
    demand: Mapping[int, int] = field(default_factory=dict)
    release: int = 0
    deadline: int | None = None
    priority: int = PRIORITY_DEFAULT
    late_start: int | None = None


@dataclass(frozen=True, slots=True)
class Precedence:
    """``successor.start >= predecessor.start + lag`` (see the module docstring)."""

    predecessor: int
    successor: int
    lag: int


@dataclass(frozen=True, slots=True)
class Resource:
    """Units available per period: ``availability[t]`` for the periods the list covers (a
    calendar with holidays and leave), ``capacity`` for every period after it."""

    id: int
    capacity: int = 0
    availability: Sequence[int] = ()

    def at(self, period: int) -> int:
        if period < len(self.availability):
            return self.availability[period]
        return self.capacity


@dataclass(frozen=True, slots=True)
class Problem:
    """What to level. Every activity must finish by ``horizon`` (a period count); ``None`` lets
    the engine take a bound that always leaves room: the latest release or availability list,
    plus every duration and every positive lag, back to back."""

    activities: Sequence[Activity]
    precedences: Sequence[Precedence] = ()
    resources: Sequence[Resource] = ()
    horizon: int | None = None


class Rule(StrEnum):
    """The order in which the serial pass picks among the activities whose predecessors are
    all placed. Every rule breaks ties by earliest start, then higher priority, then id."""

    LATEST_START = "latest_start"  # smallest latest start first (the default)
    LATEST_FINISH = "latest_finish"  # smallest latest finish first
    TOTAL_SLACK = "total_slack"  # smallest total slack first (Microsoft Project's "standard")
    ID = "id"  # plain activity order: the textbook reference, not meant for use


class Mode(StrEnum):
    FAST = "fast"  # one deterministic serial pass
    OPTIMISE = "optimise"  # search for the shortest makespan within a time limit


class Unplaceable(StrEnum):
    """Why an activity has no start in the result."""

    OVER_CAPACITY = "over_capacity"  # needs more of a resource than it ever has
    NO_ROOM = "no_room"  # no window before the horizon has enough of every resource
    PREDECESSOR = "predecessor"  # a predecessor (or its predecessor…) could not be placed


@dataclass(frozen=True, slots=True)
class Move:
    id: int
    old_start: int  # the earliest start the precedence network allows (unleveled)
    new_start: int


@dataclass(frozen=True, slots=True)
class Unplaced:
    id: int
    reason: Unplaceable
    resource: int | None = None  # the resource short of capacity, when there is one


@dataclass(frozen=True, slots=True)
class Result:
    """A leveled schedule. ``starts`` holds every placed activity; ``unplaced`` every other
    one, with the reason. ``moved`` lists the activities that start later than their earliest
    (unleveled) start, in id order. ``optimal`` is True when no shorter makespan exists (proven
    by the solver, or the makespan equals the precedence-only lower bound)."""

    starts: Mapping[int, int]
    makespan: int
    moved: Sequence[Move]
    unplaced: Sequence[Unplaced]
    optimal: bool
    mode: Mode
    lower_bound: int  # the makespan of the precedence network alone, ignoring resources
    late: Sequence[int] = ()  # ids of activities finishing after their deadline
    solver: str = "sgs"  # "sgs", "cp-sat" or "sampling": what produced the schedule
