"""The verbs of the CRM about contacts: create, edit, find duplicates, and merge them."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.crm.models import Contact, ExternalId
from charter.crm.validators import normalise_phone

ACTION_LABELS.update({"merged": gettext_lazy("merged a duplicate contact into")})

CONTACT_FIELDS = (
    "client",
    "name",
    "title",
    "department",
    "email",
    "mobile",
    "wechat_id",
    "preferred_channel",
    "language",
    "notes",
    "decision_role",
    "influence",
    "interest",
)
# Fields a merge fills on the survivor when its own value is empty (notes are concatenated).
FILLABLE_FIELDS = ("title", "department", "email", "mobile", "wechat_id")


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")


def _normalise(contact: Contact) -> None:
    """Trim text, store the mobile as E.164; ValidationError on the field for a bad number."""
    contact.name = contact.name.strip()
    contact.email = contact.email.strip()
    mobile = contact.mobile.strip()
    if mobile:
        try:
            mobile = normalise_phone(mobile)
        except ValidationError as error:
            raise ValidationError({"mobile": error.error_list}) from error
    contact.mobile = mobile


@transaction.atomic
def create_contact(*, actor: Any, **fields: Any) -> Contact:
    """A new contact at a client; ValidationError (nothing written) for invalid values."""
    _check_fields(fields)
    contact = Contact(**fields)
    _normalise(contact)
    contact.full_clean()
    contact.save()
    audit.record_created(contact, CONTACT_FIELDS, actor=actor)
    return contact


@transaction.atomic
def update_contact(
    contact: Contact, *, actor: Any, expected_version: int, **changes: Any
) -> Contact:
    """Change a contact. StaleEdit if saved by someone since ``expected_version``."""
    _check_fields(changes)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for name, value in changes.items():
        setattr(contact, name, value)
    _normalise(contact)
    contact.full_clean()
    update_versioned(contact, expected_version=expected_version, fields=changes)
    changed = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
    if changed:
        audit.record(contact, "updated", actor=actor, changes=changed)
    return contact


# ---- duplicates -------------------------------------------------------------------------------


def _same_email_or_mobile(email: str, mobile: str) -> Q:
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    if mobile:
        match |= Q(mobile=mobile)
    return match


def possible_duplicates(contact: Contact, candidates: QuerySet[Contact]) -> QuerySet[Contact]:
    """Other contacts (among ``candidates``) with the same e-mail (any case) or mobile."""
    match = _same_email_or_mobile(contact.email, contact.mobile)
    return candidates.filter(match).exclude(pk=contact.pk).select_related("client")


def duplicate_groups(candidates: QuerySet[Contact]) -> list[list[Contact]]:
    """Groups of contacts sharing an e-mail or a mobile, biggest first (three queries)."""
    emails = (
        candidates.exclude(email="")
        .values(key=Lower("email"))
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("key", flat=True)
    )
    mobiles = (
        candidates.exclude(mobile="")
        .values("mobile")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("mobile", flat=True)
    )
    rows = (
        candidates.annotate(email_key=Lower("email"))
        .filter(Q(email_key__in=emails) | Q(mobile__in=mobiles))
        .select_related("client")
        .order_by("pk")
    )
    return _group(list(rows))


def _group(rows: list[Contact]) -> list[list[Contact]]:
    """Connected groups: A and B share an e-mail, B and C a mobile → one group A, B, C."""
    parent = {row.pk: row.pk for row in rows}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_by_key: dict[tuple[str, str], int] = {}
    for row in rows:
        for key in (("email", row.email.lower()), ("mobile", row.mobile)):
            if key[1]:
                other = first_by_key.setdefault(key, row.pk)
                parent[root(row.pk)] = root(other)
    groups: dict[int, list[Contact]] = {}
    for row in rows:
        groups.setdefault(root(row.pk), []).append(row)
    return sorted(
        (group for group in groups.values() if len(group) > 1), key=lambda g: (-len(g), g[0].pk)
    )


# ---- merge --------------------------------------------------------------------------------------


def _merged_values(survivor: Contact, duplicate: Contact) -> list[str]:
    """Fill the survivor's empty fields from the duplicate; concatenate notes. Changed names."""
    changed = []
    for name in FILLABLE_FIELDS:
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
            changed.append(name)
    if duplicate.notes.strip():
        notes = [text for text in (survivor.notes.strip(), duplicate.notes.strip()) if text]
        survivor.notes = "\n\n".join(notes)
        changed.append("notes")
    return changed


def _unique_partners(model: type[models.Model], field: str) -> list[list[str]]:
    """For each uniqueness rule of ``model`` that includes ``field``: its other fields."""
    rules = [list(fields) for fields in model._meta.unique_together]
    rules += [
        list(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    return [[name for name in rule if name != field] for rule in rules if field in rule]


def _move_foreign_keys(
    relation: models.ForeignObjectRel, survivor: Contact, duplicate: Contact
) -> list[dict[str, Any]]:
    """Point the duplicate's rows at the survivor; a row that would break a uniqueness rule
    (both stakeholders of one project) is dropped, the survivor's kept. Returns the dropped."""
    model, field = relation.related_model, relation.field.name
    rows = model._base_manager.filter(**{field: duplicate})
    dropped: list[dict[str, Any]] = []
    for others in _unique_partners(model, field):
        columns = [_column(model, name) for name in others]
        taken = set(model._base_manager.filter(**{field: survivor}).values_list(*columns))
        for row in rows.all():
            if tuple(getattr(row, column) for column in columns) in taken:
                dropped.append({"model": model._meta.label, **_row_snapshot(row)})
                row.delete()
    rows.update(**{field: survivor})
    return dropped


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.attname


def _row_snapshot(row: models.Model) -> dict[str, Any]:
    return audit.snapshot(row, [field.attname for field in row._meta.concrete_fields])


def _move_many_to_many(
    relation: models.ManyToManyRel, survivor: Contact, duplicate: Contact
) -> None:
    """Link the survivor wherever the duplicate was linked (e.g. an interaction's contacts).
    Goes through the link table, so relations without a reverse accessor move too."""
    field = relation.field
    through = relation.through
    assert through is not None  # every many-to-many has a link table, declared or automatic
    owner, contact = field.m2m_column_name(), field.m2m_reverse_name()
    links = through._default_manager
    linked = set(links.filter(**{contact: survivor.pk}).values_list(owner, flat=True))
    owners = links.filter(**{contact: duplicate.pk}).values_list(owner, flat=True)
    links.bulk_create(
        through(**{owner: pk, contact: survivor.pk}) for pk in owners if pk not in linked
    )


def _move_external_ids(survivor: Contact, duplicate: Contact) -> list[str]:
    """The duplicate's ids move over unless the survivor already has one in that system."""
    content_type = ContentType.objects.get_for_model(Contact)
    ids = ExternalId.objects.filter(content_type=content_type)
    taken = set(ids.filter(object_id=str(survivor.pk)).values_list("system", flat=True))
    theirs = ids.filter(object_id=str(duplicate.pk))
    dropped = [str(row) for row in theirs.filter(system__in=taken)]
    theirs.filter(system__in=taken).delete()
    theirs.update(object_id=str(survivor.pk))
    return dropped


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    """Everything about a contact, for the audit event that outlives it."""
    content_type = ContentType.objects.get_for_model(Contact)
    ids = ExternalId.objects.filter(content_type=content_type, object_id=str(contact.pk))
    return {
        "id": contact.pk,
        "client_id": contact.client_id,
        **audit.snapshot(contact, CONTACT_FIELDS),
        "created_at": audit.json_value(contact.created_at),
        "interactions": sorted(contact.interactions.values_list("pk", flat=True)),
        "stakeholder_of_projects": sorted(contact.stakes.values_list("project_id", flat=True)),
        "external_ids": sorted(str(row) for row in ids),
    }


@transaction.atomic
def merge_contacts(survivor: Contact, duplicate: Contact, *, actor: Any) -> Contact:
    """Merge ``duplicate`` into ``survivor``, losing nothing, and delete the duplicate.

    The survivor keeps its own values and takes the duplicate's where its own are empty;
    notes are concatenated; every reference to the duplicate (interactions, stakeholder
    rows, external ids, any other relation) moves to the survivor. The audit event on the
    survivor holds the duplicate's full snapshot. Locks both rows (in pk order) first.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate_id": _("A contact cannot be merged with itself.")})
    locked = {
        row.pk: row
        for row in Contact.objects.select_for_update()
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError({"duplicate_id": _("That contact no longer exists.")})
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    snapshot = contact_snapshot(duplicate)
    before = audit.snapshot(survivor, CONTACT_FIELDS)
    changed = _merged_values(survivor, duplicate)
    dropped: list[Any] = []
    for relation in Contact._meta.related_objects:
        if relation.many_to_many:
            _move_many_to_many(relation, survivor, duplicate)  # type: ignore[arg-type]
        else:
            dropped += _move_foreign_keys(relation, survivor, duplicate)
    dropped += _move_external_ids(survivor, duplicate)
    duplicate.delete()
    update_versioned(survivor, expected_version=survivor.version, fields=changed)
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(survivor, CONTACT_FIELDS))
    changes["merged_contact"] = [None, snapshot]
    if dropped:
        changes["merge_dropped"] = [None, dropped]
    audit.record(survivor, "merged", actor=actor, changes=changes)
    return survivor


# ---- the power/interest grid ----------------------------------------------------------------


@dataclass(frozen=True)
class GridPerson:
    """One dot on crm/partials/power_interest_grid.html."""

    name: str
    influence: int
    interest: int
    role_label: str
    url: str | None = None


def grid_people(contacts: Iterable[Contact]) -> list[GridPerson]:
    return [
        GridPerson(
            name=contact.name,
            influence=contact.influence,
            interest=contact.interest,
            role_label=str(contact.get_decision_role_display()),
            url=contact.get_absolute_url(),
        )
        for contact in contacts
    ]
