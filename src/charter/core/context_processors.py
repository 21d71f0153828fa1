from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core import policy

# (url name, label, icon, resource, action): shown when the user's role allows the action.
NAVIGATION = [
    ("core:dashboard", _("Dashboard"), "layout-dashboard", "core.dashboard", "view"),
    ("crm:client_list", _("Clients"), "building", "crm.client", "list"),
    ("crm:contact_list", _("Contacts"), "address-book", "crm.contact", "view"),
    ("crm:pipeline", _("Pipeline"), "layout-kanban", "crm.opportunity", "view"),
    ("planning:project_list", _("Projects"), "briefcase", "planning.project", "view"),
    ("comms:my_week", _("My week"), "calendar-week", "comms.communication", "view"),
    ("planning:calendar_list", _("Calendars"), "calendar", "planning.calendar", "view"),
    ("resources:resource_list", _("Resources"), "users-group", "resources.resource", "view"),
    ("resources:utilisation", _("Utilisation"), "table", "resources.resource", "view"),
    (
        "resources:timesheet_week",
        _("Timesheets"),
        "clock-hour-4",
        "resources.timesheet",
        "view",
    ),
    (
        "discovery:questionnaire_list",
        _("Questionnaires"),
        "forms",
        "discovery.questionnaire",
        "view",
    ),
    (
        "comms:template_list",
        _("Message templates"),
        "template",
        "comms.messagetemplate",
        "view",
    ),
    ("crm:import_list", _("Import"), "upload", "crm.client", "import"),
    ("accounts:user_list", _("Users"), "users", "accounts.user", "view"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    entries = [
        (reverse(url_name), label, icon)
        for url_name, label, icon, resource, action in NAVIGATION
        if policy.allows(user, resource, action)
    ]
    # The entry whose address is the longest start of this page's (/resources/utilisation/
    # is "Utilisation", not also "Resources"); the dashboard only on itself.
    matching = [
        url
        for url, _label, _icon in entries
        if (request.path == url if url == "/" else request.path.startswith(url))
    ]
    current = max(matching, key=len, default=None)
    items = [
        {"url": url, "label": label, "icon": icon, "active": url == current}
        for url, label, icon in entries
    ]
    return {"navigation": items, "is_admin": policy.role_of(user) == policy.ADMIN}
