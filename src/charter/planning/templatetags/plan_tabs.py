"""``{% load plan_tabs %}{% plan_tabs project active %}``: a project's pages in five groups —
planning, resources and budget, the RAID log, change requests, communication. The first row
names the groups (each opens its first page); the second lists the pages of the group holding
``active``."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.core import policy

register = template.Library()


@dataclass(frozen=True)
class Tab:
    key: str  # the ``active`` name the project's pages pass
    label: Promise
    icon: str
    url_name: str
    # (policy object, action) the user needs to see the tab; without it, ``instead`` is shown
    # in its place (when that one's rule allows), else nothing.
    rule: tuple[str, str] | None = None
    instead: "Tab | None" = None


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise
    icon: str
    tabs: tuple[Tab, ...]


# Those who only record expenses see their list where the budget would be.
EXPENSES = Tab(
    "budget",
    _("Expenses"),
    icon="chart-bar",
    url_name="resources:project_expenses",
    rule=("resources.expense", "view"),
)
GROUPS = (
    Group(
        "planning",
        _("Planning"),
        icon="timeline",
        tabs=(
            Tab("plan", _("Plan"), icon="timeline", url_name="planning:plan"),
            Tab("baselines", _("Baselines"), icon="layers-subtract", url_name="planning:baselines"),
            Tab("goals", _("Goals and scope"), icon="target", url_name="planning:goals"),
            Tab("calendar", _("Calendar"), icon="calendar", url_name="planning:project_calendar"),
        ),
    ),
    Group(
        "resources",
        _("Resources and budget"),
        icon="users-group",
        tabs=(
            Tab("needs", _("Needs"), icon="list-check", url_name="resources:project_needs"),
            Tab("leveling", _("Leveling"), icon="users-group", url_name="resources:leveling"),
            Tab(
                "budget",
                _("Budget"),
                icon="chart-bar",
                url_name="resources:project_budget",
                rule=("resources.budget", "view"),
                instead=EXPENSES,
            ),
        ),
    ),
    Group(
        "raid",
        _("RAID log"),
        icon="alert-triangle",
        tabs=(Tab("raid", _("RAID log"), icon="alert-triangle", url_name="planning:raid"),),
    ),
    Group(
        "changes",
        _("Change requests"),
        icon="git-pull-request",
        tabs=(
            Tab(
                "changes",
                _("Change requests"),
                icon="git-pull-request",
                url_name="changes:project_change_requests",
            ),
        ),
    ),
    Group(
        "communication",
        _("Communication"),
        icon="send",
        tabs=(
            Tab(
                "communications",
                _("Communication plan"),
                icon="send",
                url_name="comms:project_communications",
            ),
            Tab(
                "meetings", _("Meetings"), icon="calendar-event", url_name="comms:project_meetings"
            ),
            Tab("messages", _("Messages"), icon="mail", url_name="comms:project_messages"),
            Tab("robots", _("Chat robots"), icon="robot", url_name="comms:project_robots"),
        ),
    ),
)


def _visible(tab: Tab, user: Any) -> Tab | None:
    """``tab`` if its rule allows ``user``, else the tab it gives way to (if that one is
    allowed), else None."""
    if tab.rule is None or policy.allows(user, *tab.rule):
        return tab
    return _visible(tab.instead, user) if tab.instead else None


@dataclass(frozen=True)
class Link:
    tab: Tab
    url: str


@dataclass(frozen=True)
class GroupLinks:
    group: Group
    links: list[Link]
    active: bool


@register.inclusion_tag("planning/_plan_tabs.html", takes_context=True)
def plan_tabs(context: template.Context, project: Any, active: str) -> dict[str, Any]:
    user = context["request"].user
    groups = []
    for group in GROUPS:
        links = [
            Link(shown, reverse(shown.url_name, args=[project.pk]))
            for tab in group.tabs
            if (shown := _visible(tab, user))
        ]
        if links:
            groups.append(GroupLinks(group, links, any(link.tab.key == active for link in links)))
    current = next((row for row in groups if row.active), None)
    return {
        "project": project,
        "active": active,
        "groups": groups,
        "pages": current.links if current and len(current.links) > 1 else [],
    }
