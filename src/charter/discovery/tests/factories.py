"""Discovery test data: requirements made through the service, as users make them."""

from typing import Any

from charter.discovery.models import Requirement
from charter.discovery.services import create_requirement


def make_requirement(parent: Any, *, actor: Any = None, **fields: Any) -> Requirement:
    fields = {"title": "统一客户主数据", **fields}
    return create_requirement(parent, actor=actor, **fields)
