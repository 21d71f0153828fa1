from typing import Any

from django import template
from django.db import models

from charter.discovery.models.base import parent_field
from charter.discovery.services.summary import discovery_summary
from charter.discovery.views.parents import parent_url

register = template.Library()


@register.filter
def parent_kind(parent: models.Model) -> str:
    """ "project" or "opportunity"."""
    return parent_field(parent)


@register.simple_tag
def discovery_url(parent: models.Model, name: str) -> str:
    """``{% discovery_url project "campaigns" %}`` → the project's campaign list."""
    return parent_url(parent, name)


@register.inclusion_tag("discovery/_summary_card.html")
def discovery_card(parent: models.Model) -> dict[str, Any]:
    """The discovery card of a project or deal page: requirements by status, findings waiting,
    sessions, questionnaire answers and the document's state, each linking to its tab."""
    return {"parent": parent, "summary": discovery_summary(parent)}
