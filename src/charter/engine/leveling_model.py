"""The resource-leveling engine's input and output (``charter.engine.leveling`` runs it).

Time is an integer count of periods (days, usually) from the start of the plan: period ``t``
is the half-open interval ``[t, t + 1)``. An activity that starts at ``s`` with duration ``d``
occupies the periods ``s .. s + d - 1`` and finishes at ``s + d``. A *splittable* activity may
be interrupted: it occupies ``d`` periods that need not be consecutive, its start is the first
of them and its finish the period after the last (``Result.runs`` lists its runs).

Precedence is one kind of constraint, a generalised minimum lag from the predecessor's start,
or (``from_finish``) from its real finish, which is later than ``start + d_p`` when it is
split::

    successor.start >= predecessor.start  + lag        (lag may be negative)
    successor.start >= predecessor.finish + lag        (from_finish)

Every link type of a plan converts to one of them (``d_s`` the successor's duration, ``lag``
the link's own lag or lead). FS and SS are exact; FF and SF hold the successor's start back by
its duration, which is exact when it runs unsplit and sufficient when it is split (its finish
is then later than ``start + d_s``):

========  ===========================================  =================================
link      condition                                    precedence
========  ===========================================  =================================
FS        successor.start  >= predecessor.finish + lag  from_finish, ``lag``
SS        successor.start  >= predecessor.start  + lag  ``lag``
FF        successor.finish >= predecessor.finish + lag  from_finish, ``lag - d_s``
SF        successor.finish >= predecessor.start  + lag  ``lag - d_s``
========  ===========================================  =================================

When nothing is split a from_finish lag is a start-to-start lag of ``d_p + lag`` (``d_p`` the
predecessor's duration); ``start_to_start_lag`` does that arithmetic for plans that never
split. The links must not form a cycle (``model.CycleError`` names one if they do).
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
    predecessor of duration ``predecessor`` and a successor of duration ``successor`` when
    neither is split. Where activities may be split, FS and FF links are ``from_finish``
    precedences instead (see the module docstring): a start-to-start lag would hold the
    successor back from the predecessor's start plus its duration, not from its real finish."""
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
    computes it from the precedence network. ``splittable`` lets the engine interrupt the
    activity where a resource it needs is short (Microsoft Project's "leveling can create
    splits in remaining work"): it then runs its ``duration`` periods in one or more runs.
    """

    id: int
    duration: int
    demand: Mapping[int, int] = field(default_factory=dict)
    release: int = 0
    deadline: int | None = None
    priority: int = PRIORITY_DEFAULT
    late_start: int | None = None
    splittable: bool = False


@dataclass(frozen=True, slots=True)
class Precedence:
    """``successor.start >= predecessor.start + lag``, or with ``from_finish``
    ``successor.start >= predecessor.finish + lag`` (see the module docstring)."""

    predecessor: int
    successor: int
    lag: int
    from_finish: bool = False


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
    one, with the reason. ``runs`` holds, for every activity the schedule splits (and only
    those), its runs as (first period, length) in order; their lengths add up to its duration.
    ``moved`` lists the activities that start later than their earliest (unleveled) start, in
    id order. ``makespan`` and ``late`` count real finishes (``finish``). ``optimal`` is True
    when no shorter makespan exists (proven by the solver, or the makespan equals the
    precedence-only lower bound)."""

    starts: Mapping[int, int]
    makespan: int
    moved: Sequence[Move]
    unplaced: Sequence[Unplaced]
    optimal: bool
    mode: Mode
    lower_bound: int  # the makespan of the precedence network alone, ignoring resources
    late: Sequence[int] = ()  # ids of activities finishing after their deadline
    solver: str = "sgs"  # "sgs", "cp-sat", "sampling" or "sgs-split": what produced it
    runs: Mapping[int, Sequence[tuple[int, int]]] = field(default_factory=dict)

    def runs_of(self, activity: Activity) -> Sequence[tuple[int, int]]:
        """The runs of a placed ``activity`` as (first period, length): one unless it is split."""
        return self.runs.get(activity.id) or ((self.starts[activity.id], activity.duration),)

    def finish(self, activity: Activity) -> int:
        """The period after the last one a placed ``activity`` runs in."""
        start, length = self.runs_of(activity)[-1]
        return start + length
