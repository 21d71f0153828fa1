from django.urls import path

from charter.changes import views

app_name = "changes"

urlpatterns = [
    path(
        "projects/<int:pk>/changes/",
        views.project_change_requests,
        name="project_change_requests",
    ),
    path(
        "projects/<int:pk>/changes/new/",
        views.change_request_create,
        name="change_request_create",
    ),
    path("change-requests/<int:pk>/", views.change_request_detail, name="change_request_detail"),
    path("change-requests/<int:pk>/edit/", views.change_request_edit, name="change_request_edit"),
    path(
        "change-requests/<int:pk>/decide/",
        views.change_request_decide,
        name="change_request_decide",
    ),
    path(
        "change-requests/<int:pk>/implemented/",
        views.change_request_implemented,
        name="change_request_implemented",
    ),
    path(
        "change-requests/<int:pk>/delete/",
        views.change_request_delete,
        name="change_request_delete",
    ),
]
