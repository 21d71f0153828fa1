from django.urls import path

from charter.crm import views

app_name = "crm"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
]
