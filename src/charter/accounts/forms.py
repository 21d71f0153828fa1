import datetime
import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts import services
from charter.accounts.choices import Language, Role
from charter.accounts.models import User
from charter.core.forms import StyledForm, VersionedForm
from charter.crm.models import Client

COMMON_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
]


def site_url(request: Any) -> str:
    """The absolute root URL of this site as the visitor reached it, for links in e-mails."""
    return request.build_absolute_uri(get_script_prefix())


def time_zone_choices() -> list[tuple[Any, Any]]:
    """The zones people here use most first, then every zone the system knows."""
    others = sorted(zoneinfo.available_timezones() - set(COMMON_TIME_ZONES))
    return [
        (_("Common"), [(name, name) for name in COMMON_TIME_ZONES]),
        (_("All time zones"), [(name, name) for name in others]),
    ]


def time_zone_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)


def language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("Used for the interface and for e-mails Charter sends you."),
    )


# ---- signing in and passwords ----------------------------------------------------------------


class PasswordChangeForm(StyledForm, auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> User:
        return services.change_password(
            self.user, password=self.cleaned_data["new_password1"], actor=self.user
        )


class SetPasswordForm(StyledForm, auth_forms.SetPasswordForm):
    """The form behind a reset or invitation link."""

    def save(self, commit: bool = True) -> User:
        return services.change_password(
            self.user, password=self.cleaned_data["new_password1"], actor=self.user
        )


class PasswordResetForm(StyledForm, auth_forms.PasswordResetForm):
    """Queues the e-mail as a background task; the page never says whether the address exists."""

    def save(self, *, request: Any = None, **kwargs: Any) -> None:  # type: ignore[override]
        services.request_password_reset(self.cleaned_data["email"], base_url=site_url(request))


# ---- profile ------------------------------------------------------------------------------------


class ProfileForm(StyledForm, VersionedForm):
    display_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("As colleagues and clients see it."),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Password reset links and notifications are sent here."),
    )
    language = language_field()
    time_zone = time_zone_field()

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> "ProfileForm":
        initial = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
        return cls(data, initial={**initial, "version": user.version})


# ---- user administration ----------------------------------------------------------------------


class AccountFieldsMixin(forms.Form):
    """Fields an administrator sets on any account, new or existing."""

    display_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    client = forms.ModelChoiceField(
        label=_("Client organisation"),
        queryset=Client.objects.none(),
        required=False,
        help_text=_("Client users see only what is shared with this organisation."),
    )
    language = language_field()
    time_zone = time_zone_field()

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_user(actor)  # type: ignore[attr-defined]
        self.fields["role"].widget.attrs["data-role-select"] = "true"

    def clean(self) -> dict[str, Any]:
        # The service enforces this too; checking here shows it together with other field errors.
        data = super().clean() or {}
        if data.get("role") == Role.CLIENT and not data.get("client"):
            self.add_error("client", _("Choose the client organisation of this client user."))
        return data


class UserCreateForm(StyledForm, AccountFieldsMixin):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to sign in. Letters, digits and @/./+/-/_ only."),
        validators=[User.username_validator],
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to e-mail the person an invitation with a link to choose their own."
        ),
    )

    field_order = ["username", "display_name", "email", "role", "client", "language", "time_zone"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with that username already exists."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            candidate = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                display_name=data.get("display_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        elif not data.get("email"):
            self.add_error(
                "email",
                _("Enter an e-mail address for the invitation, or set an initial password."),
            )
        return data


class UserEditForm(StyledForm, AccountFieldsMixin, VersionedForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Deactivated people cannot sign in or use API tokens; their history stays."),
    )

    @classmethod
    def for_user(cls, user: User, *, actor: User, data: Any = None) -> "UserEditForm":
        initial = {name: getattr(user, name) for name in services.USER_ADMIN_FIELDS}
        return cls(data, actor=actor, initial={**initial, "version": user.version})


class UserFilterForm(forms.Form):
    """The user list's search and filters; invalid values are ignored, not errors."""

    q = forms.CharField(required=False)
    role = forms.ChoiceField(required=False, choices=[("", _("All roles")), *Role.choices])
    active = forms.ChoiceField(
        required=False,
        choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )


# ---- API tokens ---------------------------------------------------------------------------------


class ApiTokenForm(StyledForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Reporting script”."),
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. The token stops working at the end of this day."),
    )

    def expiry(self) -> datetime.datetime | None:
        """The end of the chosen day in the user's time zone."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        next_day = day + datetime.timedelta(days=1)
        return datetime.datetime.combine(
            next_day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
