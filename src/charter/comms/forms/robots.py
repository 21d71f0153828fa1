"""The chat-robot form. The address and the secret are password inputs that never render the
stored value; on edit, leaving them empty keeps what is stored."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.comms.models import ChatRobot, RobotKind
from charter.core.crypto import masked
from charter.core.forms import StyledForm, VersionedForm


def _hidden_input() -> forms.PasswordInput:
    # "new-password" keeps browsers from filling in the user's own sign-in password.
    return forms.PasswordInput(attrs={"autocomplete": "new-password"})


class RobotForm(StyledForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Which group it posts to, for example “项目群” or “客户高层群”."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=RobotKind.choices)
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        widget=_hidden_input(),
        help_text=_("Copy it from the robot's settings in the group chat. It is stored encrypted."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        widget=_hidden_input(),
        required=False,
        help_text=_("DingTalk (starts with SEC) and Feishu robots with signing turned on."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class RobotEditForm(RobotForm, VersionedForm):
    """The stored address and secret show only as a masked placeholder; empty keeps them."""

    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    def __init__(self, *args: Any, robot: ChatRobot, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"name": robot.name, "kind": robot.kind, "is_active": robot.is_active},
        )
        kwargs["initial"]["version"] = robot.version
        super().__init__(*args, **kwargs)
        keep = _("Leave empty to keep the stored one.")
        for name in ("webhook_url", "secret"):
            field = self.fields[name]
            field.required = False
            field.widget.attrs["placeholder"] = masked(getattr(robot, name))
            field.help_text = f"{field.help_text} {keep}".strip()
        if not robot.secret:
            del self.fields["clear_secret"]
