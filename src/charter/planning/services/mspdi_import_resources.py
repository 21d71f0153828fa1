"""The resources and assignments of an MSPDI file (``charter.engine.mspdi``) as Charter's
resource pool and the plan's assignments. A resource of the file is the pool's active resource
of the same name and type when there is one (so importing a file again, or another plan with
the same people, does not duplicate them; its details in the pool are kept), else a new one
that keeps the file's UID and works on its own calendar of the file. What resources hold that
neither these rows nor the reader's warnings carry (material labels, rates and availability
that change over time) is read from the XML and reported.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from charter.core import audit
from charter.crm.choices import Currency
from charter.engine.mspdi import MspdiAssignment, MspdiProject, MspdiResource
from charter.engine.mspdi_elements import (
    NS,
    ResourceType,
    field_int,
    field_text,
    resource_elements,
)
from charter.planning.models import Calendar, Project, Task
from charter.planning.services.mspdi_import import (
    PLACEHOLDER_RESOURCE_UID,
    ImportReport,
    file_resources,
)
from charter.planning.services.mspdi_import_calendars import resource_calendar
from charter.resources.choices import ResourceKind
from charter.resources.models import Assignment, Resource

RESOURCE_FIELDS = (
    "name",
    "kind",
    "initials",
    "email",
    "max_units",
    "standard_rate",
    "currency",
    "calendar",
    "external_uid",
)
CENTS = Decimal("0.01")
MAX_UNITS = Decimal("99999.99")  # units and max units: 7 digits, 2 decimals
MAX_RATE = Decimal("9999999999.99")  # rates: 12 digits, 2 decimals

type _PoolKey = tuple[str, str]  # kind, name


def import_resources(
    project: Project,
    source: MspdiProject,
    rows: dict[int, Task],
    *,
    actor: Any,
    report: ImportReport,
) -> None:
    """The file's resources as pool resources (matched or new, each new one audited) and its
    assignments on the plan's tasks ``rows`` (task UID -> row)."""
    resources = _pool_resources(project, source, actor=actor, report=report)
    _import_assignments(source, rows, resources, report)


def _label(resource: MspdiResource) -> str:
    return f"{resource.uid} “{resource.name}”" if resource.name else str(resource.uid)


def _name(resource: MspdiResource) -> str:
    return resource.name[:120] or _("Resource %(uid)d") % {"uid": resource.uid}


def _key(resource: MspdiResource) -> _PoolKey:
    return ResourceKind(resource.type.value).value, _name(resource)


def _pool_resources(
    project: Project, source: MspdiProject, *, actor: Any, report: ImportReport
) -> dict[int, Resource]:
    """File resource UID -> the pool's resource."""
    wanted = file_resources(source)
    pool = _active_pool(wanted)
    matched = {key for key in map(_key, wanted) if key in pool}
    currency = _currency(project, source, wanted, report)
    resources: dict[int, Resource] = {}
    for resource in wanted:
        key = _key(resource)
        if key not in pool:
            pool[key] = _new_resource(
                project, source, resource, currency, actor=actor, report=report
            )
        elif key not in matched:
            report.not_mapped.append(
                _(
                    "Resource %(resource)s has the name and type of another resource of the "
                    "file: both are imported as one resource."
                )
                % {"resource": _label(resource)}
            )
        resources[resource.uid] = pool[key]
    report.resources = len(set(resources.values()))
    _report_matched(sorted(name for _kind, name in matched), report)
    return resources


def _active_pool(resources: list[MspdiResource]) -> dict[_PoolKey, Resource]:
    """The active pool resources with the names of ``resources``; the oldest of a name wins."""
    keys = set(map(_key, resources))
    candidates = Resource.objects.filter(
        is_active=True, name__in={name for _kind, name in keys}
    ).order_by("-pk")
    return {(row.kind, row.name): row for row in candidates if (row.kind, row.name) in keys}


def _report_matched(names: list[str], report: ImportReport) -> None:
    if names:
        report.not_mapped.append(
            ngettext(
                "%(count)d resource of the file is already in the resource pool (%(names)s): "
                "the plan's assignments use it, and its rate, max units and calendar in the "
                "pool are kept.",
                "%(count)d resources of the file are already in the resource pool (%(names)s): "
                "the plan's assignments use them, and their rates, max units and calendars in "
                "the pool are kept.",
                len(names),
            )
            % {"count": len(names), "names": ", ".join(names)}
        )


def _currency(
    project: Project, source: MspdiProject, resources: list[MspdiResource], report: ImportReport
) -> str:
    code = source.currency_code.upper()
    if code in Currency.values:
        return code
    if code and any(resource.standard_rate for resource in resources):
        report.not_mapped.append(
            _(
                "The file's rates are in %(code)s, a currency Charter does not keep: they are "
                "imported as amounts in %(currency)s."
            )
            % {"code": code, "currency": project.currency}
        )
    return project.currency


def _new_resource(
    project: Project,
    source: MspdiProject,
    resource: MspdiResource,
    currency: str,
    *,
    actor: Any,
    report: ImportReport,
) -> Resource:
    row = Resource.objects.create(
        name=_name(resource),
        kind=ResourceKind(resource.type.value),
        initials=resource.initials[:16],
        email=_email(resource, report),
        max_units=_bounded(resource.max_units, MAX_UNITS),
        standard_rate=_bounded(resource.standard_rate, MAX_RATE),
        currency=currency,
        calendar=_calendar(project, source, resource, report),
        external_uid=resource.uid if resource.uid > 0 else None,
    )
    audit.record_created(row, RESOURCE_FIELDS, actor=actor)
    return row


def _bounded(value: Decimal, limit: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), limit).quantize(CENTS, ROUND_HALF_UP)


def _email(resource: MspdiResource, report: ImportReport) -> str:
    if not resource.email:
        return ""
    try:
        validate_email(resource.email)
    except ValidationError:
        report.not_mapped.append(
            _("Resource %(resource)s has an e-mail address that is not one: not imported.")
            % {"resource": _label(resource)}
        )
        return ""
    return resource.email


def _calendar(
    project: Project, source: MspdiProject, resource: MspdiResource, report: ImportReport
) -> Calendar | None:
    """The calendar a work resource works on (material and cost resources have none)."""
    if resource.type is not ResourceType.WORK or resource.calendar_uid is None:
        return None
    try:
        return resource_calendar(source, resource.calendar_uid, project=project, report=report)
    except ValidationError as problem:
        report.not_mapped.append(
            _("Resource %(resource)s: %(reason)s It works on the project calendar.")
            % {"resource": _label(resource), "reason": " ".join(problem.messages)}
        )
        return None


def _import_assignments(
    source: MspdiProject,
    rows: dict[int, Task],
    resources: dict[int, Resource],
    report: ImportReport,
) -> None:
    created: dict[tuple[int, int], Assignment] = {}
    for assignment in source.assignments:
        problem = _assignment_problem(assignment, rows, resources, created)
        if problem:
            report.not_mapped.append(problem)
            continue
        task, resource = rows[assignment.task_uid], resources[assignment.resource_uid]
        created[task.pk, resource.pk] = Assignment(
            task=task,
            resource=resource,
            units=_bounded(assignment.units, MAX_UNITS),
            work=max(assignment.work, 0),
            external_uid=assignment.uid if assignment.uid >= 0 else None,
        )
    Assignment.objects.bulk_create(created.values(), batch_size=1000)
    report.assignments = len(created)


def _assignment_problem(
    assignment: MspdiAssignment,
    rows: dict[int, Task],
    resources: dict[int, Resource],
    created: dict[tuple[int, int], Assignment],
) -> str | None:
    """Why an assignment of the file is left out, or None to import it."""
    names = {"uid": assignment.uid, "task": assignment.task_uid}
    if assignment.task_uid not in rows:
        return (
            _("Assignment %(uid)d is on task %(task)d, which is not in the plan: not imported.")
            % names
        )
    if assignment.resource_uid not in resources:
        return _(
            "Assignment %(uid)d is of resource %(resource)d, which the file does not "
            "define: not imported."
        ) % {**names, "resource": assignment.resource_uid}
    resource = resources[assignment.resource_uid]
    if (rows[assignment.task_uid].pk, resource.pk) in created:
        return _(
            "Resource “%(name)s” is assigned to task %(task)d twice: only the first "
            "assignment is imported."
        ) % {**names, "name": resource.name}
    return None


# ---- what the reader's warnings do not say --------------------------------------------------


def _rates(element: ET.Element, table: int) -> list[ET.Element]:
    return [
        rate
        for rate in element.findall("p:Rates/p:Rate", NS)
        if field_int(rate, "RateTable", 0) == table
    ]


def _has_amount(rate: ET.Element) -> bool:
    """Whether the rate holds an amount other than zero ("0", "0.00")."""
    return any(
        (field_text(rate, name) or "").strip("0.")
        for name in ("StandardRate", "OvertimeRate", "CostPerUse")
    )


def _rates_change(element: ET.Element) -> bool:
    """Table A has several rates (they change over time), or tables B–E hold amounts."""
    return len(_rates(element, 0)) > 1 or any(
        _has_amount(rate) for table in range(1, 5) for rate in _rates(element, table)
    )


def _availability_changes(element: ET.Element) -> bool:
    return any(
        field_text(period, "AvailableFrom") or field_text(period, "AvailableTo")
        for period in element.findall("p:AvailabilityPeriods/p:AvailabilityPeriod", NS)
    )


_DETAILS: tuple[tuple[Callable[[ET.Element], bool], str], ...] = (
    (
        lambda element: bool(field_text(element, "MaterialLabel")),
        gettext_noop(
            "Resource %(resource)s has a material label (its unit), which is not imported."
        ),
    ),
    (
        _rates_change,
        gettext_noop(
            "Resource %(resource)s has rates that change over time or other cost rate tables: "
            "only its standard rate is imported."
        ),
    ),
    (
        _availability_changes,
        gettext_noop(
            "Resource %(resource)s is available at other units for periods of time: only its "
            "max units are imported."
        ),
    ),
)


def report_resource_details(root: ET.Element, report: ImportReport) -> None:
    """What the file's resources hold beyond their rows and the reader's warnings."""
    for element in resource_elements(root):
        if field_int(element, "UID", -1) == PLACEHOLDER_RESOURCE_UID:
            continue
        name = field_text(element, "Name")
        uid = field_text(element, "UID")
        label = f"{uid} “{name}”" if name else str(uid)
        for applies, message in _DETAILS:
            if applies(element):
                report.not_mapped.append(_(message) % {"resource": label})
