from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from charter.accounts import forms, views
from charter.core import policy

app_name = "accounts"

password_change = auth_views.PasswordChangeView.as_view(
    form_class=forms.PasswordChangeForm,
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    form_class=forms.PasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=forms.SetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)

urlpatterns = [
    path("login/", policy.public(views.SignInView.as_view()), name="login"),
    path("logout/", policy.public(auth_views.LogoutView.as_view()), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path(
        "password/",
        policy.requires("accounts.profile", "change")(password_change),
        name="password_change",
    ),
    path(
        "password/changed/",
        policy.requires("accounts.profile", "view")(password_change_done),
        name="password_change_done",
    ),
    path("password/reset/", policy.public(password_reset), name="password_reset"),
    path(
        "password/reset/sent/",
        policy.public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        policy.public(password_reset_confirm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        policy.public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
