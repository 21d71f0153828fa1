from typing import Any, cast

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.models import Contact
from charter.discovery.choices import Decision, DocumentSection
from charter.discovery.models import DocumentVersion, RequirementsDocument
from charter.discovery.services.document_content import NARRATIVE_FIELDS
from charter.discovery.services.documents import LINK_VALID_DAYS, client_contacts

TEXT_HELP = {
    "background": _("The client's situation and why the project exists."),
    "goals": _("What the client wants to achieve; the business goals of the register follow."),
    "requirements_intro": _(
        "An introduction; the functional and non-functional requirements follow."
    ),
    "expectations": _(
        "What the client expects beyond the requirements; the register's expectations follow."
    ),
    "constraints_text": _(
        "Budget, time, technology, regulation; the register's constraints follow."
    ),
    "scope_in": _("What the project delivers."),
    "scope_out": _("What it explicitly does not deliver."),
}


class DocumentCreateForm(StyledForm, forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the document"),
        choices=settings.LANGUAGES,
        initial="zh-hans",
        help_text=_("The document is shown, sent and exported in this language."),
    )


class DocumentEditForm(StyledForm, VersionedForm):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=200)
    language = DocumentCreateForm.base_fields["language"]
    confirmers = forms.ModelMultipleChoiceField(
        label=_("Required confirmers"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The document is confirmed when all of them have confirmed its latest version."
        ),
    )

    def __init__(self, *args: Any, document: RequirementsDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in NARRATIVE_FIELDS:
            model_field = cast(models.Field, RequirementsDocument._meta.get_field(name))
            self.fields[name] = forms.CharField(
                label=str(model_field.verbose_name).capitalize(),
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                help_text=TEXT_HELP.get(name) or model_field.help_text,
            )
        cast(forms.ModelMultipleChoiceField, self.fields["confirmers"]).queryset = client_contacts(
            document
        )

    @classmethod
    def for_document(cls, document: RequirementsDocument, data: Any = None) -> "DocumentEditForm":
        initial = {name: getattr(document, name) for name in ("title", "language", "version")}
        initial |= {name: getattr(document, name) for name in NARRATIVE_FIELDS}
        initial["confirmers"] = list(document.confirmers.all())
        return cls(data, initial=initial, document=document)


class PublishForm(StyledForm, forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: a line for the readers of this version."),
    )


class SendForm(StyledForm, forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each gets a personal link; contacts with an e-mail address also get it by e-mail."
        ),
    )
    valid_days = forms.IntegerField(
        label=_("Link valid for (days)"), min_value=1, max_value=365, initial=LINK_VALID_DAYS
    )

    def __init__(self, *args: Any, version: DocumentVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decided = version.confirmations.exclude(decision=Decision.PENDING).values("contact_id")
        contacts = cast(forms.ModelMultipleChoiceField, self.fields["contacts"])
        contacts.queryset = client_contacts(version.document).exclude(pk__in=decided)


class DiffForm(forms.Form):
    """``?from=N&to=M`` among the document's version numbers."""

    def __init__(self, data: Any, *, numbers: list[int]) -> None:
        super().__init__(data)
        choices = [(number, f"v{number}") for number in numbers]
        for name, label in (("from", _("From version")), ("to", _("To version"))):
            self.fields[name] = forms.TypedChoiceField(label=label, choices=choices, coerce=int)


class ConfirmForm(StyledForm, forms.Form):
    """The contact's decision, the hash of what they read, and a comment per section."""

    decision = forms.ChoiceField(
        choices=[
            (Decision.CONFIRMED, _("Confirm")),
            (Decision.CHANGES_REQUESTED, _("Request changes")),
        ]
    )
    content_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("What should change?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you request changes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in DocumentSection.values:
            self.fields[f"comment_{key}"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def comments(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"comment_{key}", "") for key in DocumentSection.values}
