"""Message template forms: the template (both languages side by side) and the preview's
choice of project. Every subject and text is checked as the sender reads it, so an unknown
variable or a syntax error shows on its own field."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.comms import templating
from charter.comms.models import CommunicationKind, MessageTemplate
from charter.comms.services_templates import TEMPLATE_FIELDS, WORD_FIELDS
from charter.core.forms import StyledForm, VersionedForm
from charter.planning.models import Project

VARIABLE_HELP = _("Use {{ variables }} from the list, e.g. {{ project }} or {{ progress }}.")


def _subject(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=200, validators=[templating.check], help_text=VARIABLE_HELP
    )


def _body(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 12}),
        validators=[templating.check],
        help_text=_("Plain text: blank lines separate paragraphs; addresses become links."),
    )


class TemplateForm(StyledForm, forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("message template", "Name"),
        max_length=120,
        help_text=_("How the team finds it, for example “周报（客户高层）”."),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=CommunicationKind.choices,
        help_text=_("Plan items of this type can use it."),
    )
    subject_zh = _subject(_("Subject (Chinese)"))
    body_zh = _body(_("Text (Chinese)"))
    subject_en = _subject(_("Subject (English)"))
    body_en = _body(_("Text (English)"))
    is_default = forms.BooleanField(
        label=_("Default for its type"),
        required=False,
        help_text=_(
            "Plan items of this type without a template of their own use it; the type's "
            "previous default is one no longer."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject_zh", "body_zh"):
            self.fields[name].widget.attrs["lang"] = "zh-Hans"
        for name in ("subject_en", "body_en"):
            self.fields[name].widget.attrs["lang"] = "en"

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: self.cleaned_data[name] for name in TEMPLATE_FIELDS}


class TemplateEditForm(TemplateForm, VersionedForm):
    """The template form carrying the version it was loaded at (a stale save is refused)."""

    @staticmethod
    def initial_of(template: MessageTemplate) -> dict[str, Any]:
        initial = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
        initial["version"] = template.version
        return initial


class PreviewForm(forms.Form):
    """What the preview reads from the posted template form: the words (unchecked: the
    preview shows each language's error itself) and the project to take the facts from."""

    subject_zh = forms.CharField(required=False)
    body_zh = forms.CharField(required=False)
    subject_en = forms.CharField(required=False)
    body_en = forms.CharField(required=False)
    preview_project = forms.ModelChoiceField(
        label=_("Fill in with the facts of"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Sample values"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = Project.objects.for_user(user).select_related("client").order_by("code")
        self.fields["preview_project"].queryset = projects  # type: ignore[attr-defined]
        self.fields["preview_project"].widget.attrs["class"] = "form-select"

    def template(self) -> MessageTemplate:
        """An unsaved template with the posted words, as the sender would read it."""
        data = self.cleaned_data
        return MessageTemplate(**{name: data.get(name, "") for name in WORD_FIELDS})
