"""``{% load resources %}{% task_assignments task %}``: a task's assignments card, with the
assign form and per-row edit and remove for those who may change assignments."""

from typing import Any

from django import template

from charter.core import policy
from charter.planning.models import Task
from charter.resources.forms import AssignForm, AssignmentForm, hours_of, percent_of
from charter.resources.models import Assignment

register = template.Library()


@register.inclusion_tag("resources/partials/_task_assignments_card.html", takes_context=True)
def task_assignments(context: template.Context, task: Task) -> dict[str, Any]:
    user = context["request"].user
    can_change = policy.allows(user, "resources.assignment", "change")
    rows = Assignment.objects.for_user(user).filter(task=task).select_related("resource")
    return {
        "task": task,
        "can_change": can_change,
        "rows": [
            {
                "assignment": row,
                "percent": percent_of(row.units),
                "hours": hours_of(row.work),
                "form": AssignmentForm.for_assignment(row) if can_change else None,
            }
            for row in rows.order_by("resource__name", "pk")
        ],
        "assign_form": AssignForm(task=task) if can_change else None,
    }
