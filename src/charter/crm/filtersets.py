"""List filters shared by the HTML lists, their exports and the API.

``ClientFilterSet(request.GET, queryset=Client.objects.for_user(user)).qs`` — the API passes
its validated query parameters the same way. Invalid values are ignored, not errors (the API
validates its parameters before they get here).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.core import policy
from charter.core.filtersets import search
from charter.crm.choices import DecisionRole, Lifecycle
from charter.crm.models import Client, Tag

CLIENT_SEARCH_FIELDS = ("name", "short_name", "uscc", "region", "industry")
CONTACT_SEARCH_FIELDS = ("name", "email", "mobile", "title")
CLIENT_SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "lifecycle": ("lifecycle_order", "name", "pk"),
    "-lifecycle": ("-lifecycle_order", "name", "pk"),
}


class FilterSet(forms.Form):
    """A form over a queryset: ``.qs`` is the queryset narrowed by the valid filters.

    Each list's filterset defines ``apply(queryset, filters)``, which does the narrowing.
    """

    apply: Callable[[QuerySet[Any], dict[str, Any]], QuerySet[Any]]

    def __init__(self, data: Any = None, *, queryset: QuerySet[Any]) -> None:
        super().__init__(data or {})
        self.queryset = queryset

    @property
    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filter values (each invalid value is simply left out)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value not in (None, "") and name not in self.errors
        }

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (sorting does not)."""
        return any(name != "sort" for name in self.filters)

    @property
    def qs(self) -> QuerySet[Any]:
        return self.apply(self.queryset, self.filters)


def lifecycle_order() -> Case:
    return Case(
        *[When(lifecycle=value, then=Value(index)) for index, value in enumerate(Lifecycle.values)],
        output_field=IntegerField(),
    )


class ClientFilterSet(FilterSet):
    q = forms.CharField(label=_("Search"), required=False)
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"), required=False, choices=[("", _("All stages")), *Lifecycle.choices]
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("Any owner")
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    industry = forms.CharField(label=_("Industry"), required=False)
    region = forms.CharField(label=_("Region"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("lifecycle", _("Lifecycle")),
            ("-lifecycle", _("Lifecycle, reversed")),
        ],
    )

    def __init__(self, data: Any = None, *, queryset: QuerySet[Any]) -> None:
        super().__init__(data, queryset=queryset)
        self.fields["owner"].queryset = owners()  # type: ignore[attr-defined]

    def apply(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        queryset = search(queryset, filters.get("q", ""), CLIENT_SEARCH_FIELDS)
        if "lifecycle" in filters:
            queryset = queryset.filter(lifecycle=filters["lifecycle"])
        if "owner" in filters:
            queryset = queryset.filter(owner=filters["owner"])
        if "tag" in filters:
            queryset = queryset.filter(tags__name__iexact=filters["tag"].strip())
        for name in ("industry", "region"):
            if name in filters:
                queryset = queryset.filter(**{f"{name}__iexact": filters[name].strip()})
        order = CLIENT_SORTS[filters.get("sort") or "name"]
        if "lifecycle_order" in order[0]:
            queryset = queryset.annotate(lifecycle_order=lifecycle_order())
        return with_tag_names(queryset.order_by(*order).select_related("owner"))

    def choices(self) -> dict[str, list[str]]:
        """Values offered by the list's filter menus: tags, industries, regions in use."""
        return {
            "tags": list(Tag.objects.values_list("name", flat=True)),
            "industries": _distinct(self.queryset, "industry"),
            "regions": _distinct(self.queryset, "region"),
        }


TAG_SEPARATOR = "\x1f"


def with_tag_names(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Clients with ``tag_names_joined``: their tag names in the same query (no prefetch),
    read by :func:`charter.crm.services.clients.tag_names`."""
    names = (
        Tag.objects.filter(clients=OuterRef("pk"))
        .order_by()
        .values("clients")
        .annotate(joined=StringAgg("name", delimiter=Value(TAG_SEPARATOR)))
        .values("joined")
    )
    return queryset.annotate(tag_names_joined=Subquery(names))


def _distinct(queryset: QuerySet[Any], field: str) -> list[str]:
    values = queryset.exclude(**{field: ""}).order_by(field).values_list(field, flat=True)
    return list(values.distinct())


def owners() -> QuerySet[User]:
    """Who may own a client: active staff."""
    return User.objects.filter(is_active=True, role__in=sorted(policy.STAFF)).order_by(
        "display_name", "username"
    )


class ContactFilterSet(FilterSet):
    q = forms.CharField(label=_("Search"), required=False)
    client = forms.ModelChoiceField(
        label=_("Client"),
        required=False,
        queryset=Client.objects.none(),
        empty_label=_("Any client"),
    )
    decision_role = forms.ChoiceField(
        label=_("Role in decisions"),
        required=False,
        choices=[("", _("Any role")), *DecisionRole.choices],
    )

    def __init__(self, data: Any = None, *, queryset: QuerySet[Any], user: Any) -> None:
        super().__init__(data, queryset=queryset)
        self.fields["client"].queryset = Client.objects.for_user(user, "detail")  # type: ignore[attr-defined]

    def apply(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        queryset = search(queryset, filters.get("q", ""), CONTACT_SEARCH_FIELDS)
        if "client" in filters:
            queryset = queryset.filter(client=filters["client"])
        if "decision_role" in filters:
            queryset = queryset.filter(decision_role=filters["decision_role"])
        return queryset.select_related("client").order_by("name", "pk")
