from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    MspdiAssignment,
    MspdiBaseline,
    MspdiError,
    MspdiProject,
    MspdiResource,
    ResourceType,
    parse_duration,
    parse_project_text,
    read_project,
)
from charter.engine.mspdi_parity import Comparison, project_calendar, reschedule, reschedule_file
from charter.engine.tests.shared_data import shared_data

DATA = shared_data("mspdi")
NOT_MSPDI = {"PredecessorCalendar.xml", "ProjectDefaultCalendar.xml", "SuccessorCalendar.xml"}
# Measured by bench/mspdi_parity.py: all 145 auto-scheduled tasks match, sample.xml's
# "Second Task" over a day-shift and a night-shift resource included.
COMPARED_TASKS = 145
EXACT_FILES = [
    "baselines.xml",
    "mspdiduration.xml",
    "mspdirelations.xml",
    "sample.xml",
    "task-durations-project2010-mspdi.xml",
]

OFFICE_DAY = (
    "<DayWorking>1</DayWorking><WorkingTimes>"
    "<WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
    "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>"
    "</WorkingTimes>"
)
STANDARD_WEEK = "".join(
    f"<WeekDay><DayType>{day}</DayType>"
    + (OFFICE_DAY if 2 <= day <= 6 else "<DayWorking>0</DayWorking>")
    + "</WeekDay>"
    for day in range(1, 8)
)


def calendar_xml(uid: int = 1, body: str = STANDARD_WEEK, base: int = -1) -> str:
    return (
        f"<Calendar><UID>{uid}</UID><Name>Cal {uid}</Name><BaseCalendarUID>{base}</BaseCalendarUID>"
        f"<WeekDays>{body}</WeekDays></Calendar>"
    )


def project_xml(tasks: str, calendars: str = "", start: str = "2026-10-01T08:00:00") -> str:
    """A project on the Standard calendar starting Thursday 2026-10-01 08:00."""
    return (
        '<Project xmlns="http://schemas.microsoft.com/project"><Name>t</Name>'
        f"<StartDate>{start}</StartDate><CalendarUID>1</CalendarUID>"
        f"<MinutesPerDay>480</MinutesPerDay><Calendars>{calendars or calendar_xml()}</Calendars>"
        f"<Tasks>{tasks}</Tasks></Project>"
    )


def task_xml(
    uid: int,
    *,
    level: int = 1,
    duration: str = "PT8H0M0S",
    links: Sequence[str] = (),
    **fields: object,
) -> str:
    extra = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>T{uid}</Name><OutlineLevel>{level}</OutlineLevel>"
        f"<Duration>{duration}</Duration>{extra}{''.join(links)}</Task>"
    )


def link_xml(predecessor: int, kind: int = 1, lag: int = 0, lag_format: int = 7) -> str:
    return (
        f"<PredecessorLink><PredecessorUID>{predecessor}</PredecessorUID><Type>{kind}</Type>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat></PredecessorLink>"
    )


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute)


def dates(comparisons: list[Comparison]) -> dict[int, tuple[datetime, datetime]]:
    return {c.uid: (c.ours_start, c.ours_finish) for c in comparisons}


def scheduled(tasks: str, calendars: str = "") -> dict[int, tuple[datetime, datetime]]:
    return dates(reschedule(parse_project_text(project_xml(tasks, calendars))))


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("PT8H0M0S", 480),
        ("PT0H1M0S", 1),
        ("PT7H30M0S", 450),
        ("PT0H0M0S", 0),
        ("PT720H0M0S", 43200),
        ("PT0H0M90S", 2),
        ("-PT8H0M0S", -480),
    ],
)
def test_durations_are_read_as_minutes(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["P1D", "8h", "PT8X"])
def test_other_duration_forms_are_refused(text: str) -> None:
    with pytest.raises(MspdiError):
        parse_duration(text)


@given(st.integers(0, 100_000), st.integers(0, 59))
def test_any_hours_and_minutes_read_back(hours: int, minutes: int) -> None:
    assert parse_duration(f"PT{hours}H{minutes}M0S") == hours * 60 + minutes


def test_link_types_and_lag_units() -> None:
    links = (
        link_xml(1, 0),
        link_xml(1, 1, 4800),
        link_xml(1, 2, -2400),
        link_xml(1, 3, 14400, 8),
        link_xml(1, 1, 500, 19),
    )
    project = parse_project_text(project_xml(task_xml(1) + task_xml(2, links=links)))
    parsed = project.tasks[1].links
    assert [link.type for link in parsed] == [
        LinkType.FF,
        LinkType.FS,
        LinkType.SF,
        LinkType.SS,
        LinkType.FS,
    ]
    assert [link.lag_minutes for link in parsed[:4]] == [0, 480, -240, 1440]
    assert [link.elapsed_lag for link in parsed] == [False, False, False, True, False]
    assert [link.percent_lag for link in parsed] == [False, False, False, False, True]


def test_constraint_types_map_to_the_engine_constraints() -> None:
    tasks = "".join(
        task_xml(uid, ConstraintType=uid - 1, ConstraintDate="2026-10-05T08:00:00")
        for uid in range(1, 9)
    )
    project = parse_project_text(project_xml(tasks))
    assert [task.constraint for task in project.tasks] == [
        Constraint.ASAP,
        Constraint.ALAP,
        Constraint.MSO,
        Constraint.MFO,
        Constraint.SNET,
        Constraint.SNLT,
        Constraint.FNET,
        Constraint.FNLT,
    ]
    assert project.tasks[4].constraint_date == at(5, 8)


def test_an_unknown_constraint_type_is_refused() -> None:
    with pytest.raises(MspdiError, match="constraint type 9"):
        parse_project_text(project_xml(task_xml(1, ConstraintType=9)))


def test_exceptions_in_the_2003_weekday_form_and_the_2007_form() -> None:
    holiday_2003 = (
        "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>"
        "<FromDate>2026-10-05T00:00:00</FromDate><ToDate>2026-10-06T23:59:00</ToDate>"
        "</TimePeriod></WeekDay>"
    )
    saturday_2007 = (
        "<Exceptions><Exception><TimePeriod><FromDate>2026-10-10T00:00:00</FromDate>"
        "<ToDate>2026-10-10T23:59:00</ToDate></TimePeriod><Type>1</Type><DayWorking>1</DayWorking>"
        "<WorkingTimes><WorkingTime><FromTime>09:00:00</FromTime><ToTime>00:00:00</ToTime>"
        "</WorkingTime></WorkingTimes></Exception></Exceptions>"
    )
    calendar = calendar_xml(body=STANDARD_WEEK + holiday_2003).replace(
        "</Calendar>", saturday_2007 + "</Calendar>"
    )
    project = parse_project_text(project_xml(task_xml(1), calendar))
    assert project.calendar_exceptions(1) == {
        date(2026, 10, 5): (),
        date(2026, 10, 6): (),
        date(2026, 10, 10): ((9 * 60, 24 * 60),),
    }


def test_a_derived_calendar_inherits_its_base_weekdays() -> None:
    saturday = "<WeekDay><DayType>7</DayType>" + OFFICE_DAY + "</WeekDay>"
    calendars = calendar_xml(1) + calendar_xml(2, saturday, base=1)
    project = parse_project_text(project_xml(task_xml(1), calendars))
    week = project.calendar_week(2)
    assert week[5] == week[0] == ((480, 720), (780, 1020))
    assert week[6] == ()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "<Exceptions><Exception><TimePeriod><FromDate>2026-10-05T00:00:00</FromDate>"
            "<ToDate>2026-12-05T23:59:00</ToDate></TimePeriod><Type>7</Type></Exception>"
            "</Exceptions>",
            'calendar 1 "Cal 1" has recurring exceptions, which are not imported',
        ),
        (
            "<WorkWeeks><WorkWeek/></WorkWeeks>",
            'calendar 1 "Cal 1" has work weeks for periods of time, which are not imported',
        ),
    ],
)
def test_calendar_forms_not_handled_are_skipped_with_a_warning(extra: str, message: str) -> None:
    calendar = calendar_xml().replace("</Calendar>", extra + "</Calendar>")
    project = parse_project_text(project_xml(task_xml(1), calendar))
    assert project.warnings == [message]
    assert project.calendar_exceptions(1) == {}


def test_project_fields_are_read() -> None:
    text = project_xml(task_xml(1)).replace(
        "<CalendarUID>1</CalendarUID>",
        "<Title>Launch</Title><FinishDate>2026-12-31T17:00:00</FinishDate>"
        "<CurrencyCode>CNY</CurrencyCode><CalendarUID>1</CalendarUID>",
    )
    text = text.replace(
        "<MinutesPerDay>480</MinutesPerDay>",
        "<MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2880</MinutesPerWeek>"
        "<DaysPerMonth>22</DaysPerMonth>",
    )
    project = parse_project_text(text)
    assert (project.name, project.title, project.currency_code) == ("t", "Launch", "CNY")
    assert project.finish == datetime(2026, 12, 31, 17)
    assert (project.minutes_per_week, project.days_per_month) == (2880, 22)


def test_task_details_and_baselines_are_read() -> None:
    baseline = (
        "<Baseline><Number>2</Number><Start>2026-09-01T08:00:00</Start>"
        "<Finish>2026-09-02T17:00:00</Finish><Duration>PT16H0M0S</Duration>"
        "<Work>PT32H0M0S</Work><Cost>120050</Cost></Baseline>"
    )
    task = task_xml(
        1,
        WBS="A.1",
        OutlineNumber="1",
        Priority=700,
        PercentComplete=40,
        ActualStart="2026-10-01T08:00:00",
        ActualFinish="2026-10-02T17:00:00",
        Notes="Ask the client",
    ).replace("</Task>", baseline + "</Task>")
    (read,) = parse_project_text(project_xml(task)).tasks
    assert (read.wbs, read.outline_number, read.priority, read.percent_complete) == (
        "A.1",
        "1",
        700,
        40,
    )
    assert (read.actual_start, read.actual_finish) == (at(1, 8), at(2, 17))
    assert read.notes == "Ask the client"
    assert read.baselines == (
        MspdiBaseline(
            number=2,
            start=datetime(2026, 9, 1, 8),
            finish=datetime(2026, 9, 2, 17),
            duration=960,
            work=1920,
            cost=Decimal("1200.50"),
        ),
    )


RESOURCES = (
    "<Resources>"
    "<Resource><UID>1</UID><ID>1</ID><Name>Wang Fang</Name><Type>1</Type><Initials>WF</Initials>"
    "<EmailAddress>wf@example.com</EmailAddress><MaxUnits>0.50</MaxUnits>"
    "<StandardRate>120</StandardRate><CalendarUID>2</CalendarUID></Resource>"
    "<Resource><UID>2</UID><ID>2</ID><Name>Cement</Name><Type>0</Type></Resource>"
    "<Resource><UID>3</UID><ID>3</ID><Name>Travel</Name><Type>1</Type>"
    "<IsCostResource>1</IsCostResource></Resource>"
    "<Resource><UID>4</UID><ID>4</ID><IsNull>1</IsNull></Resource>"
    "</Resources><Assignments>"
    "<Assignment><UID>7</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID>"
    "<Finish>2026-10-01T17:00:00</Finish><Start>2026-10-01T08:00:00</Start><Units>0.5</Units>"
    "<Work>PT4H0M0S</Work></Assignment>"
    "<Assignment><UID>8</UID><TaskUID>1</TaskUID><ResourceUID>-65535</ResourceUID></Assignment>"
    "</Assignments></Project>"
)


def test_resources_and_assignments_are_read() -> None:
    calendars = calendar_xml(1) + calendar_xml(2, "", base=1)
    text = project_xml(task_xml(1), calendars).replace("</Project>", RESOURCES)
    project = parse_project_text(text)
    assert project.resources == [
        MspdiResource(
            uid=1,
            id=1,
            name="Wang Fang",
            type=ResourceType.WORK,
            initials="WF",
            max_units=Decimal("0.5"),
            standard_rate=Decimal(120),
            calendar_uid=2,
            email="wf@example.com",
        ),
        MspdiResource(uid=2, id=2, name="Cement", type=ResourceType.MATERIAL),
        MspdiResource(uid=3, id=3, name="Travel", type=ResourceType.COST),
    ]
    # The "unassigned" row Microsoft Project keeps for a task's own work is no assignment.
    assert project.assignments == [
        MspdiAssignment(
            uid=7,
            task_uid=1,
            resource_uid=1,
            units=Decimal("0.5"),
            work=240,
            start=at(1, 8),
            finish=at(1, 17),
        )
    ]
    assert project.tasks[0].resource_calendar_uids == (2,)
    assert project.warnings == [
        'resource 3 "Travel" is a cost resource: the costs entered on its assignments are '
        "not imported"
    ]


def timephased_xml(kind: int, start: str | None, finish: str, value: str | None) -> str:
    fields = {"Type": kind, "UID": 7, "Start": start, "Finish": finish, "Unit": 2, "Value": value}
    body = "".join(f"<{tag}>{text}</{tag}>" for tag, text in fields.items() if text is not None)
    return f"<TimephasedData>{body}</TimephasedData>"


def test_the_remaining_work_over_time_is_read_in_time_order() -> None:
    """Type 1 periods only; one without a value (Microsoft Project's days off) has no work;
    one without a start is left out, as MPXJ does."""
    periods = "".join(
        [
            timephased_xml(1, "2026-10-05T08:00:00", "2026-10-05T17:00:00", "PT8H0M0S"),
            timephased_xml(1, "2026-10-01T08:00:00", "2026-10-02T08:00:00", "PT4H0M0S"),
            timephased_xml(1, "2026-10-02T08:00:00", "2026-10-05T08:00:00", None),
            timephased_xml(2, "2026-10-01T08:00:00", "2026-10-02T08:00:00", "PT4H0M0S"),
            timephased_xml(1, None, "2026-10-02T08:00:00", "PT0H0M0S"),
        ]
    )
    text = project_xml(task_xml(1), calendar_xml(1) + calendar_xml(2, "", base=1)).replace(
        "</Project>", RESOURCES
    )
    project = parse_project_text(
        text.replace("<Work>PT4H0M0S</Work>", f"<Work>PT12H0M0S</Work>{periods}")
    )
    assert project.assignments[0].remaining_work == (
        (at(1, 8), at(2, 8), 240),
        (at(2, 8), at(5, 8), 0),
        (at(5, 8), at(5, 17), 480),
    )


def test_microsoft_projects_daily_periods_are_read() -> None:
    [assignment, *_] = read_project(DATA / "sample.xml").assignments
    work = assignment.remaining_work
    assert len(work) > 50 and sum(minutes for _start, _finish, minutes in work) == assignment.work
    assert work[0] == (datetime(2003, 1, 7, 8), datetime(2003, 1, 8, 8), 240)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"Recurring": 1}, "is a recurring task"),
        ({"Estimated": 1}, "has an estimated duration"),
        ({"Manual": 1}, "is manually scheduled"),
        ({"Active": 0}, "is inactive"),
        ({"LevelingDelay": 4800}, "has a resource-leveling delay"),
        ({"Deadline": "2026-10-09T17:00:00"}, "has a deadline"),
        ({"ExternalTask": 1}, "is an inserted project or a task of another project"),
    ],
)
def test_task_features_not_carried_are_warned_of_by_task(
    fields: dict[str, object], message: str
) -> None:
    extra = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())

    def with_fields(xml: str) -> str:
        return xml.replace("</Task>", extra + "</Task>")

    # The project summary task (UID 0) has the feature too, but is Project's own: no warning.
    tasks = with_fields(task_xml(0, level=0, Summary=1)) + task_xml(1) + with_fields(task_xml(2))
    (warning,) = parse_project_text(project_xml(tasks)).warnings
    assert warning.startswith(f'task 2 "T2" {message}')


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sample.xml", 'task 6 "Recurring Task" is a recurring task'),
        ("resource-misc-project2010-mspdi.xml", 'resource 1 "Resource 1" has notes'),
        ("baselines.xml", 'resource 1 "Resource One" has baselines'),
        ("task-durations-project2010-mspdi.xml", 'task 1 "Duration1" has custom field values'),
        ("task-baselines-project2010-mspdi.xml", "is manually scheduled"),
    ],
)
def test_the_reference_files_report_what_is_not_imported(name: str, expected: str) -> None:
    assert any(expected in warning for warning in read_project(DATA / name).warnings)


def test_the_reference_baselines_are_read() -> None:
    task = next(t for t in read_project(DATA / "baselines.xml").tasks if t.uid == 1)
    assert [b.number for b in task.baselines] == list(range(1, 11))
    assert task.baselines[0] == MspdiBaseline(
        number=1,
        start=datetime(2001, 1, 1, 9),
        finish=datetime(2000, 1, 1, 17, 30),
        duration=450,
        work=60,
        cost=Decimal(1),
    )


def test_a_file_that_is_not_mspdi_is_refused() -> None:
    with pytest.raises(MspdiError, match="APIBusinessObjects"):
        parse_project_text("<APIBusinessObjects><Calendar/></APIBusinessObjects>")


def test_summary_structure_follows_the_outline_levels() -> None:
    tasks = (
        task_xml(0, level=0, Summary=1)
        + task_xml(1, Summary=1)
        + task_xml(2, level=2, Summary=1)
        + task_xml(3, level=3)
        + task_xml(4, level=2)
        + task_xml(5)
    )
    project = parse_project_text(project_xml(tasks))
    assert project.children() == {0: [1, 5], 1: [2, 4], 2: [3]}
    assert [task.summary for task in project.tasks] == [True, True, True, False, False, False]


# --- rescheduling (Standard calendar; Thu 2026-10-01 08:00 start; Sat 3 and Sun 4 off) -----


def test_links_of_each_type_with_lags() -> None:
    tasks = (
        task_xml(1, duration="PT16H0M0S")
        + task_xml(2, links=[link_xml(1, 1, 4800)])  # FS + 1d: Mon is the lag
        + task_xml(3, links=[link_xml(1, 3, 2400)])  # SS + 4h
        + task_xml(4, duration="PT4H0M0S", links=[link_xml(1, 0)])  # FF
        + task_xml(5, links=[link_xml(1, 1, -2400)])  # FS - 4h
    )
    assert scheduled(tasks) == {
        1: (at(1, 8), at(2, 17)),
        2: (at(6, 8), at(6, 17)),
        3: (at(1, 13), at(2, 12)),
        4: (at(2, 13), at(2, 17)),
        5: (at(2, 13), at(5, 12)),
    }


def test_a_holiday_exception_moves_the_work() -> None:
    holiday = (
        "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>"
        "<FromDate>2026-10-02T00:00:00</FromDate><ToDate>2026-10-02T23:59:00</ToDate>"
        "</TimePeriod></WeekDay>"
    )
    tasks = task_xml(1, duration="PT16H0M0S")
    assert scheduled(tasks, calendar_xml(body=STANDARD_WEEK + holiday)) == {
        1: (at(1, 8), at(5, 17))
    }


def test_a_start_no_earlier_than_on_a_saturday_starts_on_monday() -> None:
    tasks = task_xml(1, ConstraintType=4, ConstraintDate="2026-10-03T08:00:00")
    assert scheduled(tasks) == {1: (at(5, 8), at(5, 17))}


def test_a_milestone_after_a_finish_shows_at_that_finish() -> None:
    tasks = (
        task_xml(1, duration="PT0H0M0S", Milestone=1)
        + task_xml(2, duration="PT16H0M0S")
        + task_xml(3, duration="PT0H0M0S", Milestone=1, links=[link_xml(2)])
    )
    assert scheduled(tasks) == {
        1: (at(1, 8), at(1, 8)),
        2: (at(1, 8), at(2, 17)),
        3: (at(2, 17), at(2, 17)),
    }


def test_a_finish_driven_by_a_start_shows_at_that_start() -> None:
    tasks = task_xml(1, ConstraintType=4, ConstraintDate="2026-10-05T08:00:00") + task_xml(
        2, links=[link_xml(1, 2)]
    )
    assert scheduled(tasks) == {1: (at(5, 8), at(5, 17)), 2: (at(2, 8), at(5, 8))}


def test_summaries_roll_up_and_their_links_bind_their_leaves() -> None:
    tasks = (
        task_xml(1, Summary=1)
        + task_xml(2, level=2, duration="PT16H0M0S")
        + task_xml(3, level=2, links=[link_xml(2, 3)])
        + task_xml(4, links=[link_xml(1)])
    )
    assert scheduled(tasks) == {
        1: (at(1, 8), at(2, 17)),
        2: (at(1, 8), at(2, 17)),
        3: (at(1, 8), at(1, 17)),
        4: (at(5, 8), at(5, 17)),
    }


def test_manual_tasks_stay_put_drive_successors_and_are_not_compared() -> None:
    tasks = task_xml(
        1, Manual=1, duration="PT1H0M0S", Start="2026-10-06T08:00:00", Finish="2026-10-07T17:00:00"
    ) + task_xml(2, links=[link_xml(1)])
    assert scheduled(tasks) == {2: (at(8, 8), at(8, 17))}


def test_elapsed_durations_run_through_nights_and_weekends() -> None:
    tasks = (
        task_xml(1, duration="PT24H0M0S", DurationFormat=8)  # 1 elapsed day
        + task_xml(2, duration="PT48H0M0S", DurationFormat=8, links=[link_xml(1)])
        + task_xml(3, links=[link_xml(2)])
    )
    assert scheduled(tasks) == {
        1: (at(1, 8), at(2, 8)),
        2: (at(2, 8), at(4, 8)),
        3: (at(5, 8), at(5, 17)),
    }


def test_comparisons_name_what_the_import_does_not_model() -> None:
    tasks = (
        task_xml(1, CalendarUID=2)  # a task calendar, now modelled
        + task_xml(2, duration="PT24H0M0S", DurationFormat=8)
        + task_xml(3, links=[link_xml(1, 1, 4800, lag_format=8)])
    )
    project = parse_project_text(project_xml(tasks, calendar_xml(1) + calendar_xml(2)))
    causes = {c.uid: c.causes for c in reschedule(project)}
    assert causes == {1: (), 2: ("elapsed duration",), 3: ("elapsed lag",)}


@given(st.lists(st.integers(0, 3000), min_size=1, max_size=12))
def test_an_fs_chain_ends_after_the_sum_of_its_durations(durations: list[int]) -> None:
    tasks = "".join(
        task_xml(uid, duration=f"PT0H{minutes}M0S", links=[link_xml(uid - 1)] if uid > 1 else [])
        for uid, minutes in enumerate(durations, start=1)
    )
    project: MspdiProject = parse_project_text(project_xml(tasks))
    comparisons = reschedule(project)
    assert [c.uid for c in comparisons] == list(range(1, len(durations) + 1))
    # Links without lags leave no gaps: the last finish is the sum of the durations later.
    calendar = project_calendar(project)
    start = calendar.to_index(project.start)
    assert calendar.to_index(comparisons[-1].ours_finish) == start + sum(durations)


# --- the files Microsoft Project saved ----------------------------------------------------


def mspdi_files() -> list[Path]:
    files = sorted(DATA.glob("*.xml"))
    assert files, f"no reference files under {DATA}"
    return files


def test_every_mspdi_file_is_read_and_the_others_are_refused() -> None:
    for path in mspdi_files():
        if path.name in NOT_MSPDI:
            with pytest.raises(MspdiError, match="not an MSPDI project"):
                read_project(path)
        else:
            assert read_project(path).tasks, path.name


def test_every_auto_scheduled_task_matches_microsoft_project() -> None:
    comparisons = [
        c for path in mspdi_files() if path.name not in NOT_MSPDI for c in reschedule_file(path)
    ]
    assert len(comparisons) == COMPARED_TASKS
    assert [c for c in comparisons if not c.matched] == []


@pytest.mark.parametrize("name", EXACT_FILES)
def test_simple_files_match_microsoft_project_exactly(name: str) -> None:
    comparisons = reschedule_file(DATA / name)
    assert comparisons
    assert [c for c in comparisons if not c.matched] == []
