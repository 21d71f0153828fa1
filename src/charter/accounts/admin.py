from typing import Any

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from charter.accounts import services
from charter.accounts.models import ApiToken, User
from charter.core.admin import AuditedAdmin, ReadOnlyAdmin


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        stored = User.objects.get(pk=self.instance.pk)
        try:
            services.check_admin_access(
                stored,
                actor=self.actor,
                role=data.get("role", stored.role),
                is_active=data.get("is_active", stored.is_active),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "display_name", "email", "role", "client"]


@admin.register(User)
class UserAdmin(AuditedAdmin, auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = [
        "username",
        "display_name",
        "email",
        "role",
        "client",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["username", "display_name", "email"]
    ordering = ["username"]
    list_select_related = ["client"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Profile"), {"fields": ["display_name", "email", "language", "time_zone"]}),
        (_("Access"), {"fields": ["role", "client", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "display_name",
                    "email",
                    "role",
                    "client",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user  # for the administrator-access rule in UserChangeForm.clean
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.sync_role_flags(obj)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the account's history and authorship stay


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
