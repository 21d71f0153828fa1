"""The plan as the client sees it: only the tasks and milestones marked visible to the client,
read-only, with their dates and progress, the communications planned with them and the change
requests shared with them."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from charter.changes.models import ChangeRequest
from charter.comms.models import CommunicationItem
from charter.core import policy
from charter.planning import gantt
from charter.planning.models import Project, Task
from charter.planning.views.plan import span_of


@require_GET
@policy.requires("planning.clientplan", "view")
def client_plan(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.shared_with(request.user).select_related("client", "manager"), pk=pk
    )
    tasks = list(Task.objects.filter(project=project).client_visible().order_by("position"))
    chart = gantt.chart(
        tasks,
        links=[],
        baseline={},
        span=span_of(project, tasks),
        zoom="month",
        now=timezone.now(),
        editable=False,
    )
    milestones = [task for task in tasks if task.is_milestone]
    return render(
        request,
        "planning/client_plan.html",
        {
            "project": project,
            "tasks": tasks,
            "chart": chart,
            "milestones": milestones,
            "next_milestone": next(
                (m for m in milestones if m.finish and m.finish >= timezone.now()), None
            ),
            "is_client": policy.role_of(request.user) == policy.CLIENT,
            "communications": CommunicationItem.objects.filter(project=project)
            .client_visible()
            .order_by("next_due_at", "order", "pk"),
            "change_requests": ChangeRequest.objects.filter(project=project).client_visible(),
        },
    )


urls = [path("projects/<int:pk>/client-view/", client_plan, name="client_plan")]
