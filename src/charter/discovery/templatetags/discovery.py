from django import template
from django.db import models

from charter.discovery.views.parents import kind_of, parent_url

register = template.Library()


@register.filter
def parent_kind(parent: models.Model) -> str:
    """ "project" or "opportunity"."""
    return kind_of(parent)


@register.simple_tag
def discovery_url(parent: models.Model, name: str) -> str:
    """``{% discovery_url project "campaigns" %}`` → the project's campaign list."""
    return parent_url(parent, name)
