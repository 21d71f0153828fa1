"""The vocabulary of the permission matrix (core/tests/test_permission_matrix.py): each app may
keep its rows in its own ``tests/matrix_*.py`` modules, merged there."""

from dataclasses import dataclass, field
from typing import Any

LOGIN = "login"
ROLES = ["anonymous", "admin", "manager", "member", "client"]


def roles(*statuses: Any) -> dict[str, Any]:
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


@dataclass
class Case:
    expect: dict[str, Any]
    kwargs: Any = field(default_factory=dict)  # dict, or callable(world) -> dict
    method: str = "get"
    data: Any = None  # dict, or callable(world) -> dict
