"""MSPDI's XML as the reader (``charter.engine.mspdi``) and its warnings
(``charter.engine.mspdi_warnings``) both walk it: the namespace, one field of an element, and
which elements are recurring calendar exceptions, resources (of which type) and assignments."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from enum import StrEnum

NAMESPACE = "http://schemas.microsoft.com/project"
NS = {"p": NAMESPACE}


class ResourceType(StrEnum):
    WORK = "work"
    MATERIAL = "material"
    COST = "cost"


RESOURCE_TYPES: dict[int, ResourceType] = {
    0: ResourceType.MATERIAL,
    1: ResourceType.WORK,
    2: ResourceType.COST,
}
# The ResourceUID of Microsoft Project's "unassigned" assignments, which only carry the
# timephased work of a task without resources: not an assignment a plan needs.
UNASSIGNED_RESOURCE = -65535
# Calendar exception Type 1 is "daily": every day (Period 1) from FromDate to ToDate, the one-off
# exception every tool writes. Other types and periods recur (every n days, weekly, yearly...).
DAILY_EXCEPTION = 1


def field_text(element: ET.Element, name: str) -> str | None:
    return element.findtext(f"p:{name}", None, NS)


def field_int(element: ET.Element, name: str, default: int) -> int:
    text = field_text(element, name)
    return default if text is None or text == "" else int(text)


def field_flag(element: ET.Element, name: str) -> bool:
    return field_text(element, name) in ("1", "true")


def recurs(exception: ET.Element) -> bool:
    return field_int(exception, "Type", DAILY_EXCEPTION) != DAILY_EXCEPTION or (
        field_int(exception, "Period", 1) > 1
    )


def resource_elements(root: ET.Element) -> Iterator[ET.Element]:
    for element in root.findall("p:Resources/p:Resource", NS):
        if field_text(element, "IsNull") != "1":
            yield element


def resource_type(element: ET.Element) -> ResourceType:
    if field_flag(element, "IsCostResource"):
        return ResourceType.COST
    return RESOURCE_TYPES.get(field_int(element, "Type", 1), ResourceType.WORK)


def assignment_elements(root: ET.Element) -> Iterator[ET.Element]:
    for element in root.findall("p:Assignments/p:Assignment", NS):
        if field_int(element, "ResourceUID", UNASSIGNED_RESOURCE) != UNASSIGNED_RESOURCE:
            yield element
