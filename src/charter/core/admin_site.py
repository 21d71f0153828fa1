from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from charter.core import policy


class CharterAdminSite(admin.AdminSite):
    """Django's back office, open to the administrator role only (rule ``core.admin``)."""

    site_header = _("Charter administration")
    site_title = _("Charter administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.allows(request.user, "core.admin", "view")


class CharterAdminConfig(AdminConfig):
    default_site = "charter.core.admin_site.CharterAdminSite"
