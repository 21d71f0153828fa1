"""Microsoft Project XML (MSPDI) exchange of a project's plan: :func:`export_plan` writes the
plan as a file Microsoft Project and ProjectLibre open; :func:`import_plan` replaces the plan
with the one a file holds and reports, line by line, what the file holds that Charter does not
carry (recurring calendar exceptions, elapsed lags turned into working time, cost rate
tables...).

The engine reads and writes the format (``charter.engine.mspdi`` / ``mspdi_writer``); the plan
becomes the engine's project in ``mspdi_export``, and the file's calendars, tasks, links,
baselines, resources and assignments become rows in ``mspdi_import_calendars``,
``mspdi_import`` and ``mspdi_import_resources`` (resources join the resource pool). Dates in
the file are naive local times of the site's time zone, as the engine works in
(``planning.adapters``). Charter keeps one set of working hours per calendar and durations and
lags in working minutes: a calendar whose weekdays differ, an elapsed duration or lag and a
percentage lag are converted, and each conversion is reported.
"""

import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.engine.model import CycleError
from charter.engine.mspdi import MspdiError, MspdiProject, MspdiTask, parse_project
from charter.engine.mspdi_writer import write_project
from charter.planning.adapters import PlanTooLong, schedule_project
from charter.planning.models import Baseline, Calendar, Project, Task
from charter.planning.services.mspdi_export import plan_as_mspdi
from charter.planning.services.mspdi_import import (
    ImportReport,
    import_baselines,
    import_links,
    import_tasks,
    outline_parents,
)
from charter.planning.services.mspdi_import_calendars import import_calendars
from charter.planning.services.mspdi_import_resources import (
    import_resources,
    report_resource_details,
)
from charter.planning.services.wbs import renumber

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ImportReport",
    "check_upload_size",
    "export_plan",
    "import_plan",
    "plan_as_mspdi",
    "read_mspdi",
    "read_upload",
    "too_large_message",
]

ACTION_LABELS.update({"imported": gettext_lazy("imported a Microsoft Project plan into")})
CHANGE_LABELS.update(
    {
        "tasks": gettext_lazy("tasks"),
        "links": gettext_lazy("links"),
        "calendars": gettext_lazy("calendars"),
        "baselines": gettext_lazy("baselines"),
        "resources": gettext_lazy("resources"),
        "assignments": gettext_lazy("assignments"),
        "replaced": gettext_lazy("replaced the plan"),
    }
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def export_plan(project: Project) -> bytes:
    """The plan of ``project`` as an MSPDI document (UTF-8 XML)."""
    return write_project(plan_as_mspdi(project))


def read_mspdi(data: bytes) -> MspdiProject:
    """The file as the engine reads it; ValidationError with a plain reason when it is too
    large, not XML, or not a Microsoft Project XML file."""
    return _read_root(_xml_root(data))


def _xml_root(data: bytes) -> ET.Element:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message())
    try:
        # S314: expat resolves no external entities and stops entity-expansion bombs (see
        # charter.engine.mspdi.read_project); bytes let expat honour the declared encoding.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as error:
        line, column = error.position
        raise ValidationError(
            _("The file is not well-formed XML (line %(line)d, column %(column)d).")
            % {"line": line, "column": column}
        ) from error
    return root


def _read_root(root: ET.Element) -> MspdiProject:
    try:
        return parse_project(root)
    except (MspdiError, ValueError, KeyError) as error:
        raise ValidationError(
            _(
                "This is not a Microsoft Project XML file Charter can read: %(reason)s. Save the "
                "plan in Microsoft Project as “XML Format (*.xml)” and upload that file."
            )
            % {"reason": error}
        ) from error


def check_upload_size(upload: Any) -> None:
    """ValidationError when an uploaded file is larger than an import takes."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message())


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, refused before reading when it is too large."""
    check_upload_size(upload)
    return bytes(upload.read())


def too_large_message() -> str:
    return _("The file is larger than %(size)d MB; Charter imports plans up to that size.") % {
        "size": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


@transaction.atomic
def import_plan(project: Project, data: bytes, *, actor: Any, replace: bool) -> ImportReport:
    """Replace the plan of ``project`` with the MSPDI file ``data``: calendars, tasks, links,
    constraints, progress, baselines and assignments (their resources join the resource pool
    or are matched in it); the project's start and calendar become the file's; then the plan
    is renumbered and rescheduled. All or nothing: ValidationError (nothing
    written) for a file that cannot be read, a plan that cannot be scheduled, or — without
    ``replace`` — a project that already has tasks. Locks the project row."""
    root = _xml_root(data)
    source = _read_root(root)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    before = Task.objects.filter(project=project).count()
    if before and not replace:
        raise ValidationError(
            {
                "replace": ngettext(
                    "This project already has a plan of %(count)d task. Tick “replace the "
                    "current plan” to import over it; nothing was changed.",
                    "This project already has a plan of %(count)d tasks. Tick “replace the "
                    "current plan” to import over it; nothing was changed.",
                    before,
                )
                % {"count": before}
            }
        )
    if replace:
        Task.objects.filter(project=project).delete()
        Baseline.objects.filter(project=project).delete()
    tasks = _plan_tasks(source)
    parents = outline_parents(tasks)
    report = ImportReport(not_mapped=list(source.warnings))
    calendars = import_calendars(project, source, tasks, report)
    rows = import_tasks(project, source, tasks, parents, calendars, report)
    import_links(project, source, tasks, parents, rows, report)
    import_baselines(project, tasks, rows, actor=actor, report=report)
    import_resources(project, source, rows, actor=actor, report=report)
    report_resource_details(root, report)
    changes = _take_project_settings(project, locked, source, calendars[source.calendar_uid])
    renumber(project)
    _schedule(project)
    audit.record(
        project,
        "imported",
        actor=actor,
        changes={
            "tasks": [before, report.tasks],
            "links": [None, report.links],
            "calendars": [None, report.calendars],
            "baselines": [None, report.baselines],
            "resources": [None, report.resources],
            "assignments": [None, report.assignments],
            "replaced": [None, bool(before)],
            **changes,
        },
    )
    return report


def _plan_tasks(source: MspdiProject) -> list[MspdiTask]:
    """The file's tasks but the project summary task (UID 0, which Microsoft Project derives);
    ValidationError when two tasks share a UID, which links could not tell apart."""
    tasks = [task for task in source.tasks if task.uid != 0 and task.outline_level > 0]
    repeated = sorted(uid for uid, count in Counter(t.uid for t in tasks).items() if count > 1)
    if repeated:
        raise ValidationError(
            _("Several tasks of the file have the same UID (%(uids)s); the file is damaged.")
            % {"uids": ", ".join(map(str, repeated))}
        )
    return tasks


def _take_project_settings(
    project: Project, locked: Project, source: MspdiProject, calendar: Calendar
) -> dict[str, list[Any]]:
    """The project starts when the file's project starts, on the file's project calendar."""
    start = source.start.date()
    changes: dict[str, list[Any]] = {}
    if locked.start_date != start:
        changes["start_date"] = [locked.start_date.isoformat(), start.isoformat()]
    if locked.calendar_id != calendar.pk:
        changes["calendar"] = [str(locked.calendar) if locked.calendar_id else None, str(calendar)]
    Project.objects.filter(pk=project.pk).update(
        start_date=start, calendar=calendar, version=F("version") + 1, updated_at=timezone.now()
    )
    project.start_date, project.calendar, project.version = start, calendar, locked.version + 1
    return changes


def _schedule(project: Project) -> None:
    try:
        schedule_project(project)
    except CycleError as cycle:
        names = dict(Task.objects.filter(pk__in=cycle.tasks).values_list("pk", "name"))
        path = " → ".join(names[pk] for pk in [*cycle.tasks, cycle.tasks[0]])
        raise ValidationError(
            _("The file's links form a loop, so the plan cannot be scheduled: %(path)s.")
            % {"path": path}
        ) from cycle
    except (PlanTooLong, ValueError) as error:
        raise ValidationError(
            _("The imported plan cannot be scheduled: %(reason)s.") % {"reason": error}
        ) from error
