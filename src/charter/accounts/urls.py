from django.contrib.auth import views as auth_views
from django.urls import path

from charter.accounts import views
from charter.core import policy

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        policy.public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", policy.public(auth_views.LogoutView.as_view()), name="logout"),
    path("language/", views.set_language, name="set_language"),
]
