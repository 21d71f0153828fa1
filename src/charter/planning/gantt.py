"""The Gantt chart's geometry: where each bar, milestone, baseline bar, link, time-scale tick and
the today line go, for the rows of one page of the plan. The template draws it as SVG; nothing
here touches the database."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

ROW_HEIGHT = 32
HEADER_HEIGHT = 40
PX_PER_DAY = {"day": 28.0, "week": 9.0, "month": 3.0, "quarter": 1.1}
TICK_EVERY = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}


@dataclass(frozen=True)
class Bar:
    task_id: int
    row: int
    x: float
    width: float
    y: float
    kind: str  # "task", "summary", "milestone"
    critical: bool
    percent: int
    label: str
    baseline_x: float | None = None
    baseline_width: float | None = None
    version: int = 0
    segments: tuple[tuple[float, float], ...] = ()  # a split task's runs: (x, width)

    @property
    def split_line(self) -> tuple[float, float] | None:
        """Where the dotted line joining a split task's segments runs: (x1, x2)."""
        return (self.x, self.x + self.width) if self.segments else None

    @property
    def shape(self) -> str:
        """The SVG path of a summary bracket or a milestone diamond."""
        if self.kind == "milestone":
            return f"M{self.x},8 l8,8 l-8,8 l-8,-8 z"
        inner = max(self.width - 10, 0)
        return f"M{self.x},9 h{self.width} v10 l-5,-4 h-{inner} l-5,4 z"

    @property
    def label_x(self) -> float:
        return self.x + (12 if self.kind == "milestone" else self.width + 6)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool

    @property
    def label_x(self) -> float:
        return self.x + 3


@dataclass(frozen=True)
class LinkPath:
    d: str
    critical: bool


@dataclass
class Chart:
    width: float
    height: float
    px_per_day: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    links: list[LinkPath] = field(default_factory=list)
    today_x: float | None = None
    editable: bool = True  # bars can be dragged and the critical path is marked
    origin: str = ""  # ISO date at x = 0, for the page's script to turn a dropped x into a day
    header_height: int = HEADER_HEIGHT
    row_height: int = ROW_HEIGHT


@dataclass(frozen=True)
class Scale:
    origin: datetime.datetime
    px_per_day: float

    def x(self, moment: datetime.datetime) -> float:
        return round((moment - self.origin).total_seconds() / 86400 * self.px_per_day, 1)


def chart(
    rows: Sequence[Any],
    *,
    links: Iterable[tuple[int, int, str, bool]],
    baseline: Mapping[int, tuple[datetime.datetime | None, datetime.datetime | None]],
    span: tuple[datetime.datetime, datetime.datetime],
    zoom: str,
    now: datetime.datetime,
    editable: bool = True,
) -> Chart:
    """``rows`` are tasks (start, finish, is_summary, is_milestone, is_critical,
    percent_complete, segment_moments when split); ``links`` (predecessor id, successor id,
    type, critical) among them;
    ``baseline`` task id → (start, finish); ``span`` the plan's first and last moment."""
    px = PX_PER_DAY[zoom]
    first, last = _padded(span, zoom)
    scale = Scale(first, px)
    result = Chart(
        width=max(scale.x(last), 200.0),
        height=HEADER_HEIGHT + ROW_HEIGHT * max(len(rows), 1),
        px_per_day=px,
        ticks=list(_ticks(first, last, zoom, scale)),
        today_x=scale.x(now) if first <= now <= last else None,
        origin=first.date().isoformat(),
        editable=editable,
    )
    for index, task in enumerate(rows):
        if task.start is not None and task.finish is not None:
            result.bars.append(_bar(task, index, scale, baseline.get(task.pk)))
    positions = {bar.task_id: bar for bar in result.bars}
    result.links = [
        _link(positions[pred], positions[succ], kind, critical)
        for pred, succ, kind, critical in links
        if pred in positions and succ in positions
    ]
    return result


def _padded(
    span: tuple[datetime.datetime, datetime.datetime], zoom: str
) -> tuple[datetime.datetime, datetime.datetime]:
    first, last = span
    start_day = first.date() - datetime.timedelta(days=first.weekday() + 7)
    if zoom in ("month", "quarter"):
        start_day = start_day.replace(day=1)
    margin = datetime.timedelta(days={"day": 7, "week": 21, "month": 62, "quarter": 120}[zoom])
    origin = datetime.datetime.combine(start_day, datetime.time(), tzinfo=first.tzinfo)
    return origin, max(last, first) + margin


def _bar(task: Any, row: int, scale: Scale, baseline: tuple[Any, Any] | None) -> Bar:
    x, end = scale.x(task.start), scale.x(task.finish)
    kind = "summary" if task.is_summary else "milestone" if task.is_milestone else "task"
    base_x = base_width = None
    if baseline and baseline[0] is not None and baseline[1] is not None:
        base_x = scale.x(baseline[0])
        base_width = max(scale.x(baseline[1]) - base_x, 2.0)
    return Bar(
        task_id=task.pk,
        row=row,
        x=x,
        width=max(end - x, 2.0),
        y=HEADER_HEIGHT + row * ROW_HEIGHT,
        kind=kind,
        critical=task.is_critical,
        percent=task.percent_complete,
        label=task.name,
        baseline_x=base_x,
        baseline_width=base_width,
        version=getattr(task, "version", 0),
        segments=tuple(
            (scale.x(first), max(scale.x(last) - scale.x(first), 2.0))
            for first, last in getattr(task, "segment_moments", ())
        ),
    )


def _link(pred: Bar, succ: Bar, kind: str, critical: bool) -> LinkPath:
    """An elbow from the predecessor's side named by the link type to the successor's side."""
    x1 = pred.x + (pred.width if kind[0] == "F" else 0)
    x2 = succ.x + (succ.width if kind[1] == "F" else 0)
    y1 = pred.y + ROW_HEIGHT / 2
    y2 = succ.y + ROW_HEIGHT / 2
    step = 6 if kind[0] == "F" else -6
    elbow = x1 + step
    arrow_side = -4 if kind[1] == "S" else 4
    d = f"M{x1},{y1} H{elbow} V{(y1 + y2) / 2} H{x2 + arrow_side * 2} V{y2} H{x2 + arrow_side}"
    return LinkPath(d=d, critical=critical)


def _ticks(
    first: datetime.datetime, last: datetime.datetime, zoom: str, scale: Scale
) -> Iterable[Tick]:
    day = first.date()
    while day <= last.date():
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=first.tzinfo)
        label = _label(day, zoom)
        if label is not None:
            yield Tick(x=scale.x(moment), label=label[0], major=label[1])
        day += datetime.timedelta(days=1)


def _label(day: datetime.date, zoom: str) -> tuple[str, bool] | None:
    """The tick at ``day``, if the zoom puts one there: (text, major)."""
    if zoom == "day":
        return (str(day.day), day.day == 1 or day.weekday() == 0)
    if zoom == "week":
        if day.weekday() != 0:
            return None
        return (formats.date_format(day, pgettext("Gantt week tick", "M j")), day.day <= 7)
    if zoom == "month":
        return (
            (formats.date_format(day, "YEAR_MONTH_FORMAT"), day.month == 1)
            if day.day == 1
            else None
        )
    if day.day == 1 and day.month in (1, 4, 7, 10):
        quarter = (day.month - 1) // 3 + 1
        return (_("%(year)d Q%(quarter)d") % {"year": day.year, "quarter": quarter}, quarter == 1)
    return None
