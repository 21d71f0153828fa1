"""The CRM's forms: client and contact editing, and choosing the survivor of a merge."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.choices import Channel, CompanySize, DecisionRole, ImportKind, Lifecycle
from charter.crm.filtersets import owners
from charter.crm.models import Client, Contact, ImportJob
from charter.crm.services import clients as client_services
from charter.crm.services import contacts as contact_services
from charter.crm.services import imports as import_services
from charter.crm.validators import validate_uscc

ONE_TO_FIVE = [(value, str(value)) for value in range(1, 6)]


class ClientForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("Full registered name."))
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=[("", "—"), *CompanySize.choices]
    )
    region = forms.CharField(
        label=_("Region"), max_length=80, required=False, help_text=_("Province/city or country.")
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("统一社会信用代码, 18 characters; checked when given."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=owners(), required=False)
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), choices=Lifecycle.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas; new tags are created."),
    )
    auto_convert_won = forms.BooleanField(
        label=_("Create the project when a deal is won"),
        required=False,
        help_text=_(
            "Convert a won opportunity of this client automatically, with the default template."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners()  # type: ignore[attr-defined]

    def clean_uscc(self) -> str:
        code = self.cleaned_data["uscc"].strip().upper()
        if code:
            validate_uscc(code)
        return code

    def clean_tags(self) -> list[str]:
        return client_services.parse_tags(self.cleaned_data["tags"])

    @staticmethod
    def initial_for(client: Client) -> dict[str, Any]:
        initial = {name: getattr(client, name) for name in client_services.CLIENT_FIELDS}
        initial["tags"] = ", ".join(tag.name for tag in client.tags.all())
        return initial


class ClientEditForm(ClientForm, VersionedForm):
    @classmethod
    def for_client(cls, client: Client, data: Any = None) -> "ClientEditForm":
        return cls(data, initial={**cls.initial_for(client), "version": client.version})


class ContactForm(StyledForm, forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    department = forms.CharField(label=_("Department"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=32,
        required=False,
        help_text=_("Chinese numbers as dialled (138 0013 8000); others with + and country code."),
    )
    wechat_id = forms.CharField(label=_("WeChat ID"), max_length=64, required=False)
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=Channel.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    decision_role = forms.ChoiceField(label=_("Role in decisions"), choices=DecisionRole.choices)
    influence = forms.TypedChoiceField(
        label=_("Influence"),
        choices=ONE_TO_FIVE,
        coerce=int,
        initial=3,
        help_text=_("1 = none, 5 = decides."),
    )
    interest = forms.TypedChoiceField(
        label=_("Interest"),
        choices=ONE_TO_FIVE,
        coerce=int,
        initial=3,
        help_text=_("1 = indifferent, 5 = closely involved."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_user(user, "detail")  # type: ignore[attr-defined]


class ContactEditForm(ContactForm, VersionedForm):
    @classmethod
    def for_contact(cls, contact: Contact, *, user: Any, data: Any = None) -> "ContactEditForm":
        initial = {name: getattr(contact, name) for name in contact_services.CONTACT_FIELDS}
        return cls(data, user=user, initial={**initial, "version": contact.version})


class MergeForm(StyledForm, forms.Form):
    """Which of the two contacts survives; the other is merged into it."""

    survivor = forms.TypedChoiceField(label=_("Keep"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, pair: tuple[Contact, Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.fields["survivor"].choices = [(contact.pk, contact.name) for contact in pair]
        self.fields["survivor"].initial = pair[0].pk

    def survivor_and_duplicate(self) -> tuple[Contact, Contact]:
        first, second = self.pair
        return (first, second) if self.cleaned_data["survivor"] == first.pk else (second, first)


class UploadForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GB18030) or Excel .xlsx; the first row holds the column headings."
        ),
    )


class MappingForm(StyledForm, forms.Form):
    """One select per field of the import: which column of the file fills it."""

    def __init__(self, job: ImportJob, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —")), *((h, h) for h in job.headers)]
        for target in import_services.spec_for(job.kind).targets:
            self.fields[target.key] = forms.ChoiceField(
                label=target.label,
                choices=choices,
                required=target.required,
                initial=job.mapping.get(target.key, ""),
            )
