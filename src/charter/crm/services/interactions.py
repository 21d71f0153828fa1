"""The verbs of interactions: log a call, meeting, e-mail, visit or note, edit it, and close its
follow-up; plus the shaped querysets the pages and the dashboard read them with."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.crm.models import Client, Contact, Interaction, Opportunity

ACTION_LABELS.update({"follow_up_done": gettext_lazy("closed the follow-up of")})

INTERACTION_FIELDS = ("kind", "occurred_at", "summary", "opportunity", "follow_up_on", "owner")
EDITABLE_FIELDS = (*INTERACTION_FIELDS, "follow_up_done")
AUDITED_FIELDS = ("client", *EDITABLE_FIELDS)


def interactions_for(
    user: Any, *, client: Client | None = None, opportunity: Opportunity | None = None
) -> QuerySet[Interaction]:
    """Interactions the user may see, of a client or an opportunity, shaped for lists: a fixed
    number of queries however many there are."""
    rows = Interaction.objects.for_user(user)
    if client is not None:
        rows = rows.filter(client=client)
    if opportunity is not None:
        rows = rows.filter(opportunity=opportunity)
    return rows.select_related("client", "opportunity", "owner").prefetch_related(
        "contacts", "users"
    )


def due_follow_ups(user: Any, *, today: datetime.date | None = None) -> QuerySet[Interaction]:
    """The user's own open follow-ups that are due today or overdue, oldest first."""
    today = today or timezone.localdate()
    return (
        Interaction.objects.for_user(user)
        .filter(owner=user, follow_up_done=False, follow_up_on__lte=today)
        .select_related("client", "opportunity")
        .order_by("follow_up_on", "pk")
    )


def _check_links(
    client: Client, opportunity: Opportunity | None, contacts: Iterable[Contact]
) -> None:
    """The deal and the participants must belong to the interaction's client."""
    errors = {}
    if opportunity is not None and opportunity.client_id != client.pk:
        errors["opportunity"] = _("This opportunity belongs to another client.")
    strangers = [str(contact) for contact in contacts if contact.client_id != client.pk]
    if strangers:
        errors["contacts"] = _("Not contacts of %(client)s: %(names)s.") % {
            "client": client,
            "names": ", ".join(strangers),
        }
    if errors:
        raise ValidationError(errors)


def _participants(interaction: Interaction) -> dict[str, Any]:
    return {
        "contacts": sorted(str(contact) for contact in interaction.contacts.all()),
        "users": sorted(str(user) for user in interaction.users.all()),
    }


@transaction.atomic
def log_interaction(
    *,
    actor: Any,
    client: Client,
    kind: str,
    summary: str,
    contacts: Iterable[Contact] = (),
    users: Iterable[Any] = (),
    **fields: Any,
) -> Interaction:
    """Record an interaction with ``client``; its owner is ``actor`` unless given.

    ValidationError (nothing written) when the opportunity or a contact belongs to another
    client, or a field is invalid.
    """
    if unknown := set(fields) - set(INTERACTION_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    contacts, users = list(contacts), list(users)
    fields.setdefault("owner", actor)
    interaction = Interaction(client=client, kind=kind, summary=summary, **fields)
    _check_links(client, interaction.opportunity, contacts)
    interaction.full_clean(exclude=["client", "opportunity", "owner", "project"])
    interaction.save()
    interaction.contacts.set(contacts)
    interaction.users.set(users)
    created = audit.diff({}, audit.snapshot(interaction, AUDITED_FIELDS))
    audit.record(interaction, "created", actor=actor, changes={**created, **_added(interaction)})
    return interaction


def _added(interaction: Interaction) -> dict[str, Any]:
    return {name: [None, names] for name, names in _participants(interaction).items() if names}


@transaction.atomic
def update_interaction(
    interaction: Interaction,
    *,
    actor: Any,
    expected_version: int,
    contacts: Iterable[Contact] | None = None,
    users: Iterable[Any] | None = None,
    **changes: Any,
) -> Interaction:
    """Edit an interaction; ``contacts``/``users`` replace the participants when given.

    Raises StaleEdit (nothing written) if it was saved since ``expected_version`` (a
    participants-only edit raises the version too), ValidationError (nothing written) when
    the opportunity or a contact belongs to another client, or a field is invalid.
    """
    if unknown := set(changes) - set(EDITABLE_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = audit.snapshot(interaction, AUDITED_FIELDS)
    for name, value in changes.items():
        setattr(interaction, name, value)
    contacts = list(contacts) if contacts is not None else list(interaction.contacts.all())
    _check_links(interaction.client, interaction.opportunity, contacts)
    interaction.full_clean(exclude=["client", "opportunity", "owner", "project"])
    # The compare-and-set locks the row, so the participants read next are those of
    # ``expected_version``: every change to them goes through here and raises the version.
    update_versioned(interaction, expected_version=expected_version, fields=EDITABLE_FIELDS)
    before.update(_participants(interaction))
    interaction.contacts.set(contacts)
    if users is not None:
        interaction.users.set(list(users))
    after = {**audit.snapshot(interaction, AUDITED_FIELDS), **_participants(interaction)}
    if changed := audit.diff(before, after):
        audit.record(interaction, "updated", actor=actor, changes=changed)
    return interaction


@transaction.atomic
def complete_follow_up(interaction: Interaction, *, actor: Any) -> Interaction:
    """Mark the interaction's follow-up done (again is harmless); no version needed.

    One conditional UPDATE that writes only ``follow_up_done`` and raises the version: it
    cannot undo anyone's edit, and an editor who loaded the interaction before it gets
    StaleEdit instead of saving the follow-up open again.
    """
    updated = Interaction.objects.filter(pk=interaction.pk, follow_up_done=False).update(
        follow_up_done=True, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated:
        interaction.refresh_from_db(fields=["follow_up_done", "version", "updated_at"])
        audit.record(interaction, "follow_up_done", actor=actor)
    interaction.follow_up_done = True
    return interaction
