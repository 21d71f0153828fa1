"""Forms of the pipeline (stages, opportunities, moves, filters) and of interactions."""

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.core.forms import StyledForm, VersionedForm
from charter.crm.choices import Currency, InteractionKind, StageKind
from charter.crm.models import Client, Contact, Interaction, Opportunity, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def colleagues() -> QuerySet[User]:
    """Active staff accounts: who may own deals and take part in interactions."""
    return User.objects.filter(is_active=True).exclude(role=Role.CLIENT).order_by("display_name")


class StageForm(StyledForm, forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=40)
    name_en = forms.CharField(label=_("Name (English)"), max_length=40)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=StageKind.choices,
        help_text=_("Deals in a won or lost stage are closed; the others are open."),
    )
    probability = forms.IntegerField(
        label=_("Default probability (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Given to a deal that moves into this stage."),
    )

    @classmethod
    def for_stage(cls, stage: Stage, data: Any = None) -> "StageForm":
        return cls(data, initial={name: getattr(stage, name) for name in cls.base_fields})


class OpportunityForm(StyledForm, forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    title = forms.CharField(label=pgettext_lazy("deal", "Title"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    expected_close = forms.DateField(label=_("Expected close date"), required=False, widget=DATE)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.all(), empty_label=None)
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        required=False,
        min_value=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty to use the stage's default probability."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    lost_reason = forms.CharField(
        label=_("Lost reason"),
        max_length=255,
        required=False,
        help_text=_("Required when the stage is a lost stage."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_user(user, "detail")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = colleagues()  # type: ignore[attr-defined]
        stages = Stage.objects.all()
        self.fields["stage"].widget.attrs["data-lost-stages"] = ",".join(
            str(stage.pk) for stage in stages if stage.kind == StageKind.LOST
        )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it: no probability means the stage's."""
        data = {name: self.cleaned_data[name] for name in self.fields if name != "version"}
        if data["probability"] is None:
            data["probability"] = data["stage"].probability
        return data


class OpportunityEditForm(OpportunityForm, VersionedForm):
    @classmethod
    def for_opportunity(
        cls, opportunity: Opportunity, *, user: Any, data: Any = None
    ) -> "OpportunityEditForm":
        initial = {name: getattr(opportunity, name) for name in OpportunityForm.base_fields}
        return cls(data, user=user, initial={**initial, "version": opportunity.version})


class MoveForm(StyledForm, VersionedForm):
    """A card's "Move to…" form; the board's drag-and-drop posts the same fields."""

    stage = forms.ModelChoiceField(
        label=_("Move to"), queryset=Stage.objects.all(), empty_label=None
    )
    lost_reason = forms.CharField(
        label=_("Lost reason"),
        max_length=255,
        required=False,
        help_text=_("Required when the stage is a lost stage."),
    )


class OpportunityFilterForm(forms.Form):
    """The opportunity list's search, filters and sort; invalid values are ignored."""

    SORTS = {
        "-created": ("-created_at", "-pk"),
        "close": ("expected_close", "pk"),
        "-close": ("-expected_close", "-pk"),
        "-amount": ("-amount", "-pk"),
        "amount": ("amount", "pk"),
        "title": ("title", "pk"),
    }

    q = forms.CharField(required=False)
    stage = forms.ModelChoiceField(queryset=Stage.objects.all(), required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    month = forms.DateField(required=False, input_formats=["%Y-%m"])
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("close", _("Closing soonest")),
            ("-close", _("Closing latest")),
            ("-amount", _("Largest amount")),
            ("amount", _("Smallest amount")),
            ("title", pgettext_lazy("deal", "Title")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = colleagues()  # type: ignore[attr-defined]
        self.fields["client"].queryset = Client.objects.for_user(user, "detail")  # type: ignore[attr-defined]

    def filter(self, deals: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
        data = self.cleaned_data if self.is_valid() else {}
        if query := (data.get("q") or "").strip():
            deals = deals.filter(title__icontains=query)
        for name in ("stage", "owner", "client"):
            if data.get(name) is not None:
                deals = deals.filter(**{name: data[name]})
        if month := data.get("month"):
            deals = deals.filter(expected_close__year=month.year, expected_close__month=month.month)
        return deals.order_by(*self.SORTS[data.get("sort") or "-created"])

    @property
    def active(self) -> bool:
        return self.is_valid() and any(
            value for name, value in self.cleaned_data.items() if name != "sort"
        )


class InteractionForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    occurred_at = forms.DateTimeField(label=_("Date"), widget=DATETIME)
    opportunity = forms.ModelChoiceField(
        label=_("Opportunity"), queryset=Opportunity.objects.none(), required=False
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("People of this client who took part."),
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Colleagues"), queryset=User.objects.none(), required=False
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}))
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=DATE,
        help_text=_("The owner sees it on their dashboard from this day on."),
    )

    def __init__(self, *args: Any, user: Any, client: Client, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_at", _now_minutes())
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.for_user(user).filter(  # type: ignore[attr-defined]
            client=client
        )
        self.fields["contacts"].queryset = Contact.objects.for_user(user).filter(client=client)  # type: ignore[attr-defined]
        self.fields["users"].queryset = colleagues()  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (without the edit form's version)."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class InteractionEditForm(InteractionForm, VersionedForm):
    @classmethod
    def for_interaction(
        cls, interaction: Interaction, *, user: Any, data: Any = None
    ) -> "InteractionEditForm":
        initial = {
            name: getattr(interaction, name)
            for name in ("kind", "opportunity", "summary", "follow_up_on", "version")
        }
        initial["occurred_at"] = timezone.localtime(interaction.occurred_at)
        initial["contacts"] = list(interaction.contacts.all())
        initial["users"] = list(interaction.users.all())
        return cls(data, user=user, client=interaction.client, initial=initial)


def _now_minutes() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)
