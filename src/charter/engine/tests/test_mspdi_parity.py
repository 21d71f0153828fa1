"""Rescheduling MSPDI files on resource calendars (``charter.engine.mspdi_parity``): the
Standard project calendar, Thursday 2026-10-01 08:00 start, and an evening shift from 18:00 to
22:00 on weekdays. The reference files are compared in ``test_mspdi``."""

from datetime import datetime

from charter.engine.mspdi import parse_project_text
from charter.engine.mspdi_parity import reschedule
from charter.engine.tests.test_mspdi import at, calendar_xml, dates, link_xml, project_xml, task_xml

EVENING_DAY = (
    "<DayWorking>1</DayWorking><WorkingTimes>"
    "<WorkingTime><FromTime>18:00:00</FromTime><ToTime>22:00:00</ToTime></WorkingTime>"
    "</WorkingTimes>"
)
EVENING_WEEK = "".join(
    f"<WeekDay><DayType>{day}</DayType>"
    + (EVENING_DAY if 2 <= day <= 6 else "<DayWorking>0</DayWorking>")
    + "</WeekDay>"
    for day in range(1, 8)
)
# 1 Standard (the project's), 2 the evening shift, 3 a resource calendar with the project's
# hours, 4 a resource calendar on the evening shift.
CALENDARS = (
    calendar_xml(1)
    + calendar_xml(2, EVENING_WEEK)
    + calendar_xml(3, "", 1)
    + calendar_xml(4, "", 2)
)
DAY_WORKER, EVENING_WORKER = 1, 2


def resources_xml(*assignments: tuple[int, int, str, str]) -> str:
    """A day worker on calendar 3, an evening worker on calendar 4, and the assignments
    (task UID, resource UID, units, work)."""
    resources = "".join(
        f"<Resource><UID>{uid}</UID><ID>{uid}</ID><Name>R{uid}</Name><Type>1</Type>"
        f"<CalendarUID>{calendar}</CalendarUID></Resource>"
        for uid, calendar in ((DAY_WORKER, 3), (EVENING_WORKER, 4))
    )
    rows = "".join(
        f"<Assignment><UID>{uid}</UID><TaskUID>{task}</TaskUID><ResourceUID>{resource}"
        f"</ResourceUID><Units>{units}</Units><Work>{work}</Work></Assignment>"
        for uid, (task, resource, units, work) in enumerate(assignments, start=1)
    )
    return f"<Resources>{resources}</Resources><Assignments>{rows}</Assignments>"


def rescheduled(
    tasks: str, *assignments: tuple[int, int, str, str]
) -> dict[int, tuple[datetime, datetime]]:
    text = project_xml(tasks, CALENDARS).replace(
        "</Project>", resources_xml(*assignments) + "</Project>"
    )
    return dates(reschedule(parse_project_text(text)))


def test_a_task_with_one_resource_works_on_the_resource_calendar() -> None:
    tasks = task_xml(1) + task_xml(2, links=[link_xml(1)]) + task_xml(3)
    assigned = rescheduled(
        tasks, (1, EVENING_WORKER, "1", "PT8H0M0S"), (3, DAY_WORKER, "1", "PT8H0M0S")
    )
    assert assigned == {
        1: (at(1, 18), at(2, 22)),  # two evenings
        2: (at(5, 8), at(5, 17)),  # back on the project calendar, after the weekend
        3: (at(1, 8), at(1, 17)),  # the day worker keeps the project's hours
    }


def test_a_task_over_resources_with_other_hours_spans_their_assignments() -> None:
    tasks = (
        task_xml(1, duration="PT4H0M0S")
        + task_xml(2, links=[link_xml(1)])
        + task_xml(3, links=[link_xml(2)])
    )
    # Each assignment starts after task 1 on its resource's hours and lasts its work at its
    # units: the day worker 8 h (Thu 13:00 to Fri 12:00), the evening worker 4 h at 50 %,
    # so 8 h (two evenings).
    assigned = rescheduled(
        tasks, (2, DAY_WORKER, "1", "PT8H0M0S"), (2, EVENING_WORKER, "0.5", "PT4H0M0S")
    )
    assert assigned == {
        1: (at(1, 8), at(1, 12)),
        2: (at(1, 13), at(2, 22)),
        3: (at(5, 8), at(5, 17)),
    }


def test_a_task_calendar_is_used_alone_and_its_resource_calendars_are_named() -> None:
    tasks = task_xml(1, CalendarUID=2)
    text = project_xml(tasks, CALENDARS).replace(
        "</Project>", resources_xml((1, DAY_WORKER, "1", "PT8H0M0S")) + "</Project>"
    )
    [comparison] = reschedule(parse_project_text(text))
    assert (comparison.ours_start, comparison.ours_finish) == (at(1, 18), at(2, 22))
    assert comparison.causes == ("task calendar 2 with resource calendars [3] (only the task's)",)
