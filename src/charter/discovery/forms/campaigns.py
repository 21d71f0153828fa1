import datetime
from typing import Any, cast

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.models import Contact
from charter.discovery.models import Campaign, Questionnaire
from charter.discovery.services.campaigns import DEFAULT_DAYS, invitable_contacts


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Links work through the whole expiry day, in the sender's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class ContactChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.email:
            return format_html('{} <span class="text-secondary">{}</span>', obj.name, obj.email)
        return format_html(
            '{} <span class="badge bg-yellow-lt">{}</span>', obj.name, _("no e-mail: copy the link")
        )


class CampaignFieldsForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    expires_on = forms.DateField(
        label=_("Links expire"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The links stop working after this day."),
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Sent with each personal link, above the button."),
    )

    def clean_expires_on(self) -> datetime.date:
        day = self.cleaned_data["expires_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "message": data["message"],
            "expires_at": end_of_day(data["expires_on"]),
        }


class CampaignForm(CampaignFieldsForm):
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=Questionnaire.objects.none(),
        help_text=_("From the questionnaire library; templates are copied there first."),
    )
    contacts = ContactChoices(
        label=_("Contacts"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each gets a personal link. Contacts with an e-mail address receive it by e-mail; "
            "for the others, copy the link (e.g. into WeChat) after sending."
        ),
    )

    field_order = ["name", "questionnaire", "contacts", "expires_on", "message"]

    def __init__(self, parent: models.Model, user: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"expires_on": timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS)},
        )
        super().__init__(*args, **kwargs)
        questionnaires = cast(forms.ModelChoiceField, self.fields["questionnaire"])
        questionnaires.queryset = Questionnaire.objects.for_user(user).filter(is_template=False)
        cast(forms.ModelChoiceField, self.fields["contacts"]).queryset = invitable_contacts(parent)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().service_fields(),
            "questionnaire": data["questionnaire"],
            "contacts": list(data["contacts"]),
        }


class CampaignEditForm(CampaignFieldsForm, VersionedForm):
    @classmethod
    def for_campaign(cls, campaign: Campaign, data: Any = None) -> "CampaignEditForm":
        initial = {
            "name": campaign.name,
            "message": campaign.message,
            "expires_on": timezone.localtime(campaign.expires_at).date(),
            "version": campaign.version,
        }
        return cls(data, initial=initial)
