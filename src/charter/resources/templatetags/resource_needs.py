"""``{% load resource_needs %}``: the Needs panel of a task page (``{% task_needs task %}``)
and the skills and rates panels of a resource page (``{% resource_profile resource %}``)."""

from typing import Any

from django import template

from charter.core import policy
from charter.planning.models import Task
from charter.resources.forms.needs import (
    LEVEL_CHOICES,
    NeedForm,
    RateChangeForm,
    ResourceSkillForm,
)
from charter.resources.models import Assignment, Resource
from charter.resources.services import needs as services
from charter.resources.services import rates
from charter.resources.services.pool import sees_rates

register = template.Library()


@register.inclusion_tag("resources/needs/_task_needs.html", takes_context=True)
def task_needs(context: template.Context, task: Task) -> dict[str, Any]:
    """The task's needs, each with its ranked candidates; its generic resources, each with the
    people who could replace it."""
    user = context["request"].user
    if not policy.allows(user, "resources.need", "view"):
        return {"hidden": True}
    can_change = policy.allows(user, "resources.need", "change")
    can_replace = policy.allows(user, "resources.assignment", "change")
    placeholders = list(
        Assignment.objects.for_user(user)
        .filter(task=task, resource__is_placeholder=True)
        .select_related("resource")
        .order_by("resource__name", "pk")
    )
    needs = services.needs_of(task)
    replacing = can_replace and bool(placeholders)
    free = services.free_people(task.pk) if needs or replacing else []
    ranked = services.candidates_by_need(task, needs, user=user, people=free)
    people = (
        services.replacement_candidates(
            task, [row.resource.role_id for row in placeholders], people=free
        )
        if replacing
        else {}
    )
    return {
        "task": task,
        "can_change": can_change,
        "needs": [{"need": need, "candidates": ranked[need.pk]} for need in needs],
        "need_form": NeedForm(prefix="need") if can_change and not task.is_summary else None,
        "placeholders": [
            {"assignment": row, "people": people.get(row.resource.role_id, [])}
            for row in placeholders
        ],
        "can_replace": can_replace,
    }


@register.inclusion_tag("resources/needs/_resource_profile.html", takes_context=True)
def resource_profile(context: template.Context, resource: Resource) -> dict[str, Any]:
    """Skills with levels, and (managers only) the rate history."""
    user = context["request"].user
    can_change = policy.allows(user, "resources.resource", "change")
    shows_rates = sees_rates(user) and policy.allows(user, "resources.rate", "view")
    skills = resource.skills.select_related("skill").order_by("skill__name", "pk")
    return {
        "resource": resource,
        "can_change": can_change,
        "sees_rates": shows_rates,
        "can_change_rates": shows_rates and policy.allows(user, "resources.rate", "change"),
        "skills": list(skills),
        "levels": LEVEL_CHOICES,
        "skill_form": ResourceSkillForm() if can_change else None,
        "rate_history": rates.rate_history(resource) if shows_rates else [],
        "rate_form": RateChangeForm(initial={"currency": resource.currency}),
    }
