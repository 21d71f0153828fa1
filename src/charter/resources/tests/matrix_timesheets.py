"""Permission-matrix rows of timesheets: everyone on staff keeps their own week; managers
decide the sheets submitted for their projects (an administrator any); clients have none."""

import datetime
from typing import Any

from charter.accounts.models import User
from charter.planning.tests.factories import planning_world
from charter.resources.models.timesheets import Timesheet
from charter.resources.services import timesheets as sheets
from charter.testing.matrix import LOGIN, Case, roles

MONDAY = datetime.date(2026, 12, 7)


def submitted_sheet(w: Any) -> Timesheet:
    """A new submitted sheet of the member (a week of its own) on the manager's project."""
    member = User.objects.get(username="member")
    task = planning_world(w).project.tasks.filter(is_summary=False).order_by("position").first()
    week = MONDAY + datetime.timedelta(weeks=next(w.counter))
    sheet = sheets.week_of(member, week)
    sheet = sheets.save_entries(
        sheet, actor=member, expected_version=1, rows=[sheets.Row(task, week, 60)]
    )
    return sheets.submit(sheet, actor=member, expected_version=sheet.version)


def _sheet(w: Any) -> dict[str, int]:
    return {"pk": submitted_sheet(w).pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)

HTML: dict[str, Case] = {
    "resources:timesheet_week": Case(STAFF_PAGE, data={"week": MONDAY.isoformat()}),
    # An empty week cannot be submitted: the page says so (a message) and comes back.
    "resources:timesheet_submit": Case(
        roles(LOGIN, 302, 302, 302, 403),
        method="post",
        data={"week": MONDAY.isoformat(), "version": "1"},
    ),
    "resources:timesheet_to_approve": Case(MANAGERS_PAGE),
    "resources:timesheet_detail": Case(STAFF_PAGE, kwargs=_sheet),
    "resources:timesheet_approve": Case(MANAGERS_PAGE, kwargs=_sheet),
    "resources:timesheet_reject": Case(MANAGERS_PAGE, kwargs=_sheet),
}


def _id(w: Any) -> dict[str, int]:
    return {"timesheet_id": submitted_sheet(w).pk}


API: dict[str, Case] = {
    "GET /api/v1/timesheets/to-approve": Case(roles(401, 200, 200, 403, 403)),
    "GET /api/v1/timesheets/<week>": Case(
        roles(401, 200, 200, 200, 403), kwargs={"week": MONDAY.isoformat()}
    ),
    # Without If-Match: 428 once the role may edit its week.
    "PUT /api/v1/timesheets/<week>": Case(
        roles(401, 428, 428, 428, 403), kwargs={"week": MONDAY.isoformat()}, data={"entries": []}
    ),
    # An empty week cannot be submitted: 422 once the role may submit.
    "POST /api/v1/timesheets/<week>/submit": Case(
        roles(401, 422, 422, 422, 403), kwargs={"week": MONDAY.isoformat()}
    ),
    "POST /api/v1/timesheets/<timesheet_id>/approve": Case(
        roles(401, 200, 200, 403, 403), kwargs=_id
    ),
    "POST /api/v1/timesheets/<timesheet_id>/reject": Case(
        roles(401, 200, 200, 403, 403), kwargs=_id, data={"note": "请补充"}
    ),
}
