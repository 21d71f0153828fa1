from django.contrib import admin
from django.urls import include, path

from charter.api import api

urlpatterns = [
    path("", include("charter.core.urls")),
    path("accounts/", include("charter.accounts.urls")),
    path("", include("charter.crm.urls")),
    path("", include("charter.planning.urls")),
    path("", include("charter.discovery.urls")),
    path("", include("charter.resources.urls")),
    path("", include("charter.comms.urls")),
    path("", include("charter.changes.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler403 = "charter.core.views.permission_denied"
handler404 = "charter.core.views.page_not_found"
handler500 = "charter.core.views.server_error"
