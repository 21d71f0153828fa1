from django.urls import path

from charter.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.health, name="health"),
    path("history/<str:label>/<str:pk>/", views.history, name="history"),
    path(
        "attachments/<int:attachment_id>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("attachments/<str:label>/<str:pk>/", views.attachments, name="attachments"),
]
