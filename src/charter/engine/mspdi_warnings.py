"""What an MSPDI file holds that the reader's dataclasses (``charter.engine.mspdi``) cannot
carry, for ``MspdiProject.warnings``: one plain sentence per element and thing left out."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator

from charter.engine.mspdi_elements import (
    NS,
    ResourceType,
    assignment_elements,
    field_int,
    field_text,
    recurs,
    resource_elements,
    resource_type,
)

type _Check = tuple[Callable[[ET.Element], bool], str]


def _holds(*names: str) -> Callable[[ET.Element], bool]:
    """Whether one of the fields ``names`` is set: a flag on, a number other than 0, a date."""
    return lambda element: any(_is_set(field_text(element, name)) for name in names)


def _is_set(text: str | None) -> bool:
    return bool(text) and text != "false" and not re.fullmatch(r"-?[0.]+", text or "")


def _has(path: str) -> Callable[[ET.Element], bool]:
    return lambda element: element.find(path, NS) is not None


_NOT_IMPORTED = "which is not imported"
_TASK_CHECKS: tuple[_Check, ...] = (
    (
        _holds("Recurring"),
        "is a recurring task: its occurrences are imported, the recurrence is not",
    ),
    (_holds("Estimated"), "has an estimated duration (?): it is imported as a firm duration"),
    (_holds("Manual"), "is manually scheduled: its dates are imported, the manual mode is not"),
    (lambda e: field_text(e, "Active") == "0", "is inactive: it is imported as an active task"),
    (_holds("LevelingDelay"), f"has a resource-leveling delay, {_NOT_IMPORTED}"),
    (_holds("Deadline"), f"has a deadline, {_NOT_IMPORTED}"),
    (
        _holds("IsSubproject", "ExternalTask"),
        "is an inserted project or a task of another project: only its own row is imported",
    ),
    (_has("p:ExtendedAttribute"), "has custom field values, which are not imported"),
)
_BASELINES = (_has("p:Baseline"), "has baselines: only the baselines of tasks are imported")
_RESOURCE_CHECKS: tuple[_Check, ...] = (
    (
        lambda e: resource_type(e) is ResourceType.COST,
        "is a cost resource: the costs entered on its assignments are not imported",
    ),
    (_holds("CostPerUse"), f"has a cost per use, {_NOT_IMPORTED}"),
    (_holds("OvertimeRate"), f"has an overtime rate, {_NOT_IMPORTED}"),
    (_holds("Notes"), "has notes, which are not imported"),
    _BASELINES,
)
_ASSIGNMENT_CHECKS: tuple[_Check, ...] = (
    (_holds("WorkContour"), "has a work contour: its work is imported as spread evenly"),
    (_holds("Delay"), f"has an assignment delay, {_NOT_IMPORTED}"),
    _BASELINES,
)
_CALENDAR_CHECKS: tuple[_Check, ...] = (
    (
        lambda e: any(map(recurs, e.findall("p:Exceptions/p:Exception", NS))),
        "has recurring exceptions, which are not imported",
    ),
    (_has("p:WorkWeeks/p:WorkWeek"), "has work weeks for periods of time, which are not imported"),
)


def unmapped_warnings(root: ET.Element) -> Iterator[str]:
    """What the file holds that the dataclasses do not carry, one plain sentence each. The
    project summary task (UID 0) is left out: Microsoft Project derives it."""
    tasks = [
        e
        for e in root.findall("p:Tasks/p:Task", NS)
        if field_text(e, "IsNull") != "1" and field_int(e, "UID", -1) != 0
    ]
    yield from _failed_checks(
        root.findall("p:Calendars/p:Calendar", NS), "calendar", _CALENDAR_CHECKS
    )
    yield from _failed_checks(tasks, "task", _TASK_CHECKS)
    yield from _failed_checks(resource_elements(root), "resource", _RESOURCE_CHECKS)
    yield from _failed_checks(assignment_elements(root), "assignment", _ASSIGNMENT_CHECKS)


def _failed_checks(
    elements: Iterable[ET.Element], kind: str, checks: tuple[_Check, ...]
) -> Iterator[str]:
    for element in elements:
        for applies, message in checks:
            if applies(element):
                yield f"{_label(element, kind)} {message}"


def _label(element: ET.Element, kind: str) -> str:
    uid = field_text(element, "UID")
    if kind == "assignment":
        task, resource = field_text(element, "TaskUID"), field_text(element, "ResourceUID")
        return f"assignment {uid} (task {task}, resource {resource})"
    name = field_text(element, "Name")
    return f'{kind} {uid} "{name}"' if name else f"{kind} {uid}"
