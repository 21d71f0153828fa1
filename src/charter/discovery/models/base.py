"""What every discovery record shares: it belongs to exactly one project or one deal."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.core import tokens


class OnProjectOrDeal(models.Model):
    """Discovery starts on a deal (pre-sales) and moves into its project at conversion."""

    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    opportunity = models.ForeignKey(
        "crm.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, opportunity__isnull=True)
                | Q(project__isnull=True, opportunity__isnull=False),
                name="%(app_label)s_%(class)s_one_parent",
            ),
        ]

    @property
    def parent(self) -> models.Model:
        return self.project or self.opportunity  # type: ignore[return-value]

    @property
    def parent_kind(self) -> str:
        return "project" if self.project_id else "opportunity"


def created_by_field() -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class PersonalLink(models.Model):
    """A row a contact opens through a personal link (see charter.core.tokens): ``token`` is
    recomputed from the nonce, ``token_hash`` finds the row from a link."""

    link_purpose: str  # the HMAC key's purpose, one per kind of link
    url_name: str  # the page the link opens

    token_nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        abstract = True

    @property
    def token(self) -> str:
        return tokens.link_token(self.link_purpose, self.token_nonce)

    def new_link(self) -> None:
        """A fresh nonce (not saved): the previous link stops working once saved."""
        self.token_nonce = tokens.new_nonce()
        self.token_hash = tokens.digest(self.token)

    def link(self, base_url: str) -> str:
        return tokens.absolute_link(self.url_name, base_url, token=self.token)

    @classmethod
    def find(cls, raw_token: str) -> Any:
        """The row a link's token opens, as a filtered queryset (empty for a bad token)."""
        return cls._default_manager.filter(token_hash=tokens.digest(raw_token))


PARENT_FIELDS = {"planning.project": "project", "crm.opportunity": "opportunity"}


def parent_field(parent: models.Model) -> str:
    """The OnProjectOrDeal field that holds ``parent``: "project" or "opportunity"."""
    try:
        return PARENT_FIELDS[parent._meta.label_lower]
    except KeyError:
        raise TypeError(
            f"discovery records belong to a project or a deal, not {parent!r}"
        ) from None
