"""Discovery pages hang under a project or a deal: one view serves both, told which by
``kind``. These helpers resolve the parent for the user and build its URLs."""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, reverse

from charter.core.http import kind_paths
from charter.crm.models import Opportunity
from charter.discovery.models.base import parent_field
from charter.planning.models import Project

PARENTS: dict[str, type[models.Model]] = {"project": Project, "opportunity": Opportunity}
PREFIXES = {"project": "projects", "opportunity": "opportunities"}


def visible_parent(user: Any, kind: str, pk: int) -> models.Model:
    """The project (team members: only theirs) or deal the user may see, else 404."""
    return get_object_or_404(PARENTS[kind]._default_manager.for_user(user), pk=pk)  # type: ignore[attr-defined]


def parent_url(parent: models.Model, name: str) -> str:
    """``parent_url(project, "requirements")`` → the URL named ``project_requirements``."""
    return reverse(f"discovery:{parent_field(parent)}_{name}", args=[parent.pk])


def parent_paths(route: str, view: Callable[..., Any], name: str) -> list[URLPattern]:
    """``projects/<pk>/<route>`` and ``opportunities/<pk>/<route>`` (``core.http.kind_paths``)."""
    return kind_paths(PREFIXES, route, view, name)
