"""Interviews (深度访谈) and focus groups (焦点小组): record them, capture ideas, count dot-votes.

Interviewees and participants are contacts of the parent's client; interviewers and
facilitators are colleagues (staff users).
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import lock_row, update_versioned
from charter.crm.models import Contact
from charter.discovery.models import FocusGroup, Idea, IdeaVote, Interview
from charter.discovery.models.base import parent_field
from charter.discovery.querysets import OnProjectOrDealQuerySet
from charter.planning.forms import colleagues

ACTION_LABELS.update(
    {
        "idea_added": gettext_lazy("added an idea to"),
        "votes_recorded": gettext_lazy("recorded votes in"),
    }
)

INTERVIEW_FIELDS = ("title", "held_at", "location", "guide", "notes")
FOCUS_GROUP_FIELDS = ("title", "held_at", "location", "agenda", "notes", "dots_per_participant")

# The M2M fields of each session: (staff users, client contacts).
PEOPLE = {Interview: ("interviewers", "interviewees"), FocusGroup: ("facilitators", "participants")}

Session = Interview | FocusGroup


def _check_people(
    parent: models.Model, model: type[Session], staff: list[Any], contacts: list[Contact]
) -> None:
    """Contacts must belong to the parent's client, staff must be active colleagues, and a
    session needs at least one of each."""
    staff_field, contact_field = PEOPLE[model]
    errors: dict[str, str] = {}
    strangers = [str(contact) for contact in contacts if contact.client_id != parent.client_id]  # type: ignore[attr-defined]
    if strangers:
        errors[contact_field] = _("Not contacts of %(client)s: %(names)s.") % {
            "client": parent.client,  # type: ignore[attr-defined]
            "names": ", ".join(strangers),
        }
    elif not contacts:
        errors[contact_field] = _("Choose at least one contact of the client.")
    allowed = set(
        colleagues().filter(pk__in=[user.pk for user in staff]).values_list("pk", flat=True)
    )
    outsiders = [str(user) for user in staff if user.pk not in allowed]
    if outsiders:
        errors[staff_field] = _("Only active colleagues can take this part: %(names)s.") % {
            "names": ", ".join(outsiders)
        }
    elif not staff:
        errors[staff_field] = _("Choose at least one colleague.")
    if errors:
        raise ValidationError(errors)


def _people(session: Session) -> dict[str, list[str]]:
    return {
        name: sorted(str(person) for person in getattr(session, name).all())
        for name in PEOPLE[type(session)]
    }


def _fields(model: type[Session]) -> tuple[str, ...]:
    return INTERVIEW_FIELDS if model is Interview else FOCUS_GROUP_FIELDS


@transaction.atomic
def _create(
    model: type[Session],
    parent: models.Model,
    *,
    actor: Any,
    staff: Iterable[Any],
    contacts: Iterable[Contact],
    fields: Mapping[str, Any],
) -> Session:
    if unknown := set(fields) - set(_fields(model)):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    staff, contacts = list(staff), list(contacts)
    session = model(
        **{parent_field(parent): parent},
        **fields,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    session.title = (session.title or "").strip()
    _check_people(parent, model, staff, contacts)
    session.full_clean()
    session.save()
    staff_field, contact_field = PEOPLE[model]
    getattr(session, staff_field).set(staff)
    getattr(session, contact_field).set(contacts)
    created = audit.diff({}, audit.snapshot(session, _fields(model)))
    people = {name: [None, names] for name, names in _people(session).items()}
    audit.record(session, "created", actor=actor, changes={**created, **people})
    return session


@transaction.atomic
def _update(
    session: Session,
    *,
    actor: Any,
    expected_version: int,
    staff: Iterable[Any] | None,
    contacts: Iterable[Contact] | None,
    changes: Mapping[str, Any],
) -> Session:
    fields = _fields(type(session))
    if unknown := set(changes) - set(fields):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    staff_field, contact_field = PEOPLE[type(session)]
    before = {**audit.snapshot(session, fields), **_people(session)}
    for name, value in changes.items():
        setattr(session, name, value)
    session.title = (session.title or "").strip()
    staff = list(staff) if staff is not None else list(getattr(session, staff_field).all())
    contacts = (
        list(contacts) if contacts is not None else list(getattr(session, contact_field).all())
    )
    _check_people(session.parent, type(session), staff, contacts)
    session.full_clean()
    # The compare-and-set locks the row: the people and votes read next are this version's.
    update_versioned(session, expected_version=expected_version, fields=fields)
    getattr(session, staff_field).set(staff)
    getattr(session, contact_field).set(contacts)
    if isinstance(session, FocusGroup):
        _fit_votes(session, contacts)
    changed = audit.diff(before, {**audit.snapshot(session, fields), **_people(session)})
    if changed:
        audit.record(session, "updated", actor=actor, changes=changed)
    return session


def _fit_votes(group: FocusGroup, participants: list[Contact]) -> None:
    """Drop the votes of people no longer taking part; refuse a dot limit below what someone
    already gave (the transaction then rolls back the whole edit)."""
    IdeaVote.objects.filter(idea__focus_group=group).exclude(participant__in=participants).delete()
    over = (
        IdeaVote.objects.filter(idea__focus_group=group)
        .values("participant")
        .annotate(total=Sum("dots"))
        .filter(total__gt=group.dots_per_participant)
    )
    if over.exists():
        raise ValidationError(
            {
                "dots_per_participant": _(
                    "Some participants already gave more votes than that. Lower their votes first."
                )
            }
        )


def _refuse_if_promoted(session: Session) -> None:
    codes = sorted(
        session.findings.filter(requirement__isnull=False).values_list(
            "requirement__code", flat=True
        )
    )
    if codes:
        raise ValidationError(
            _("Its findings back %(codes)s; it stays so the requirements keep their source.")
            % {"codes": ", ".join(codes)},
            code="protected",
        )


@transaction.atomic
def _delete(session: Session, *, actor: Any) -> None:
    lock_row(session)
    _refuse_if_promoted(session)
    audit.record(session, "deleted", actor=actor, changes={"title": [session.title, None]})
    session.delete()


def create_interview(
    parent: models.Model,
    *,
    actor: Any,
    interviewers: Iterable[Any],
    interviewees: Iterable[Contact],
    **fields: Any,
) -> Interview:
    """Record an interview of ``parent`` (project or deal). ValidationError (nothing written)
    for an interviewee of another client, a non-colleague interviewer or invalid fields."""
    return _create(  # type: ignore[return-value]
        Interview, parent, actor=actor, staff=interviewers, contacts=interviewees, fields=fields
    )


def update_interview(
    interview: Interview,
    *,
    actor: Any,
    expected_version: int,
    interviewers: Iterable[Any] | None = None,
    interviewees: Iterable[Contact] | None = None,
    **changes: Any,
) -> Interview:
    """Edit an interview; people lists replace the current ones when given. StaleEdit (nothing
    written) if saved since ``expected_version``; ValidationError as for create."""
    return _update(  # type: ignore[return-value]
        interview,
        actor=actor,
        expected_version=expected_version,
        staff=interviewers,
        contacts=interviewees,
        changes=changes,
    )


def delete_interview(interview: Interview, *, actor: Any) -> None:
    """Delete an interview and its findings; refused while a finding backs a requirement."""
    _delete(interview, actor=actor)


def create_focus_group(
    parent: models.Model,
    *,
    actor: Any,
    facilitators: Iterable[Any],
    participants: Iterable[Contact],
    **fields: Any,
) -> FocusGroup:
    """Record a focus group of ``parent``. ValidationError (nothing written) for a participant
    of another client, a non-colleague facilitator or invalid fields."""
    return _create(  # type: ignore[return-value]
        FocusGroup, parent, actor=actor, staff=facilitators, contacts=participants, fields=fields
    )


def update_focus_group(
    group: FocusGroup,
    *,
    actor: Any,
    expected_version: int,
    facilitators: Iterable[Any] | None = None,
    participants: Iterable[Contact] | None = None,
    **changes: Any,
) -> FocusGroup:
    """Edit a focus group; removing a participant removes their votes. StaleEdit if saved since
    ``expected_version``; ValidationError as for create, or when the vote limit would fall
    below what a participant already gave."""
    return _update(  # type: ignore[return-value]
        group,
        actor=actor,
        expected_version=expected_version,
        staff=facilitators,
        contacts=participants,
        changes=changes,
    )


def delete_focus_group(group: FocusGroup, *, actor: Any) -> None:
    """Delete a focus group with its ideas, votes and findings; refused while a finding backs a
    requirement."""
    _delete(group, actor=actor)


@transaction.atomic
def add_idea(
    group: FocusGroup, *, actor: Any, text: str, proposed_by: Contact | None = None
) -> Idea:
    """Capture an idea; whoever proposed it must take part in the focus group."""
    idea = Idea(focus_group=group, text=(text or "").strip(), proposed_by=proposed_by)
    if not idea.text:
        raise ValidationError({"text": _("Write the idea.")}, code="required")
    if proposed_by is not None and not group.participants.filter(pk=proposed_by.pk).exists():
        raise ValidationError(
            {
                "proposed_by": _("%(name)s does not take part in this focus group.")
                % {"name": proposed_by}
            }
        )
    idea.full_clean()
    idea.save()
    audit.record(group, "idea_added", actor=actor, changes={"idea": [None, idea.text]})
    return idea


@transaction.atomic
def record_votes(
    group: FocusGroup, *, actor: Any, participant: Contact, dots: Mapping[int, int]
) -> dict[int, int]:
    """Set the dots ``participant`` gave, idea id → dots (0 or missing: none). Replaces that
    participant's earlier votes. Locks the focus group (SELECT … FOR UPDATE) so two facilitators
    cannot together exceed the limit. ValidationError (nothing written) for a non-participant,
    an idea of another group, a negative count, or more dots than ``dots_per_participant``."""
    group = FocusGroup.objects.select_for_update().get(pk=group.pk)
    if not group.participants.filter(pk=participant.pk).exists():
        raise ValidationError(
            {
                "participant": _("%(name)s does not take part in this focus group.")
                % {"name": participant}
            }
        )
    ideas = {idea.pk: idea for idea in group.ideas.all()}
    if strangers := set(dots) - set(ideas):
        raise ValidationError(
            {
                "dots": _("Ideas %(ids)s are not in this focus group.")
                % {"ids": ", ".join(str(pk) for pk in sorted(strangers))}
            }
        )
    if any(count < 0 for count in dots.values()):
        raise ValidationError({"dots": _("Votes cannot be negative.")})
    total = sum(dots.values())
    if total > group.dots_per_participant:
        raise ValidationError(
            {
                "dots": _(
                    "%(name)s has %(limit)s votes but was given %(total)s. Nothing was saved."
                )
                % {"name": participant, "limit": group.dots_per_participant, "total": total}
            }
        )
    votes = IdeaVote.objects.filter(idea__focus_group=group, participant=participant)
    before = {str(vote.idea): vote.dots for vote in votes.select_related("idea")}
    votes.delete()
    given = {pk: count for pk, count in dots.items() if count}
    IdeaVote.objects.bulk_create(
        IdeaVote(idea=ideas[pk], participant=participant, dots=count) for pk, count in given.items()
    )
    after = {str(ideas[pk]): count for pk, count in given.items()}
    if before != after:
        audit.record(
            group,
            "votes_recorded",
            actor=actor,
            changes={str(participant): [before or None, after or None]},
        )
    return given


def ranked_ideas(group: FocusGroup) -> models.QuerySet[Idea]:
    """The group's ideas, most dots first, each with ``total_dots`` and ``finding_count``."""
    return (
        group.ideas.select_related("proposed_by")
        .annotate(
            total_dots=Coalesce(Sum("votes__dots"), 0),
            finding_count=Count("findings", distinct=True),
        )
        .order_by("-total_dots", "pk")
    )


def votes_table(group: FocusGroup) -> dict[tuple[int, int], int]:
    """(idea id, participant id) → dots, in one query."""
    return {
        (idea, participant): dots
        for idea, participant, dots in IdeaVote.objects.filter(idea__focus_group=group).values_list(
            "idea_id", "participant_id", "dots"
        )
    }


def filter_sessions(
    rows: OnProjectOrDealQuerySet,
    *,
    q: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> OnProjectOrDealQuerySet:
    """Search the title, notes and people's names; keep sessions held within the dates. Rows
    carry ``finding_count`` and their people, in a fixed number of queries."""
    staff_field, contact_field = PEOPLE[rows.model]
    if query := (q or "").strip():
        matches = rows.model._default_manager.filter(
            Q(title__icontains=query)
            | Q(notes__icontains=query)
            | Q(**{f"{contact_field}__name__icontains": query})
        )
        rows = rows.filter(pk__in=matches.values("pk"))
    if date_from:
        rows = rows.filter(held_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(held_at__date__lte=date_to)
    rows = rows.annotate(finding_count=Count("findings", distinct=True))
    return rows.prefetch_related(staff_field, contact_field).order_by("-held_at", "pk")
