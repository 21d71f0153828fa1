"""Chat-robot pages of a project or a client: the list with each robot's last test, add, edit,
delete, and "Test this channel" (HTMX: the remote's answer replaces the button's cell)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.comms import services
from charter.comms.forms.robots import RobotEditForm, RobotForm
from charter.comms.models import ChatRobot
from charter.comms.querysets import visible_parent
from charter.core import policy
from charter.core.crypto import masked
from charter.core.forms import submit
from charter.core.http import kind_paths, site_url
from charter.planning.models import Project

PREFIXES = {"project": "projects", "client": "clients"}


def robots_url(parent: models.Model) -> str:
    kind = "project" if isinstance(parent, Project) else "client"
    return reverse(f"comms:{kind}_robots", args=[parent.pk])


def _robot(request: HttpRequest, pk: int, action: str) -> ChatRobot:
    rows = ChatRobot.objects.for_user(request.user, action).select_related("project", "client")
    return get_object_or_404(rows, pk=pk)


def _parent_of(robot: ChatRobot) -> Any:
    return robot.project or robot.client


@require_GET
@policy.requires("comms.chatrobot", "view")
def robot_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    context = {
        "parent": parent,
        "parent_kind": kind,
        "robots": [
            (robot, masked(robot.webhook_url))
            for robot in ChatRobot.objects.for_user(request.user).filter(**{kind: parent})
        ],
        "create_url": reverse(f"comms:{kind}_robot_create", args=[parent.pk]),
    }
    return render(request, "comms/robot_list.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.chatrobot", "add")
def robot_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    form = RobotForm(request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        created: list[ChatRobot] = []
        status = submit(
            form,
            lambda data: created.append(
                services.create_robot(parent, actor=request.user, **form.service_fields())
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was added.") % {"name": created[0]})
            return redirect(robots_url(parent))
    return _form_page(request, form, parent, None, status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.chatrobot", "change")
def robot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a robot; a save based on an older version is refused (409)."""
    robot = _robot(request, pk, "change")
    form = RobotEditForm(request.POST or None, robot=robot)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_robot(
                robot,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was saved.") % {"name": robot})
            return redirect(robots_url(_parent_of(robot)))
        robot.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, form, _parent_of(robot), robot, status or 200)


def _form_page(
    request: HttpRequest, form: RobotForm, parent: Any, robot: ChatRobot | None, status: int
) -> HttpResponse:
    context = {"form": form, "parent": parent, "robot": robot, "cancel_url": robots_url(parent)}
    return render(request, "comms/robot_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("comms.chatrobot", "delete")
def robot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    robot = _robot(request, pk, "delete")
    parent = _parent_of(robot)
    if request.method == "POST":
        services.delete_robot(robot, actor=request.user)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": robot})
        return redirect(robots_url(parent))
    context = {"robot": robot, "parent": parent, "cancel_url": robots_url(parent)}
    return render(request, "comms/robot_delete.html", context)


@require_POST
@policy.requires("comms.chatrobot", "change")
def robot_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test message now. HTMX gets the robot's test cell with the remote's answer;
    a plain form post goes back to the list with the answer as a message."""
    robot = _robot(request, pk, "change")
    delivery = services.test_robot(robot, actor=request.user, base_url=site_url(request))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "comms/partials/robot_test.html", {"robot": robot})
    if delivery.ok:
        messages.success(request, _("The test message was posted to “%(name)s”.") % {"name": robot})
    else:
        messages.error(
            request,
            _("“%(name)s” refused the test message: %(answer)s")
            % {"name": robot, "answer": delivery.answer},
        )
    return redirect(robots_url(_parent_of(robot)))


def parent_paths(route: str, view: Callable[..., Any], name: str) -> list[URLPattern]:
    """``projects/<pk>/<route>`` and ``clients/<pk>/<route>`` (``core.http.kind_paths``)."""
    return kind_paths(PREFIXES, route, view, name)


urls = [
    *parent_paths("robots/", robot_list, "robots"),
    *parent_paths("robots/new/", robot_create, "robot_create"),
    path("robots/<int:pk>/edit/", robot_edit, name="robot_edit"),
    path("robots/<int:pk>/delete/", robot_delete, name="robot_delete"),
    path("robots/<int:pk>/test/", robot_test, name="robot_test"),
]
