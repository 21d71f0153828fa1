"""Answering a campaign through a personal link, and what the answers add up to.

A contact's link resolves to its invitation by the token's SHA-256 (an indexed equality
lookup: nothing about the stored hashes leaks through timing). Answers are saved as the
contact goes; submitting locks the response for good.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.discovery import kano as kano_model
from charter.discovery.choices import CampaignStatus, KanoAnswer, KanoCategory, QuestionKind
from charter.discovery.models import Answer, Campaign, Invitation, Question, Response

OTHER = "__other__"  # the value of a written-in "other" choice; the text is in other_text
MAX_TOKEN_LENGTH = 128
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
SCALE_KINDS = (QuestionKind.RATING, QuestionKind.NPS)
KANO_SIDES = ("functional", "dysfunctional")
KANO_COLUMNS = (
    kano_model.A,
    kano_model.O,
    kano_model.M,
    kano_model.I,
    kano_model.R,
    kano_model.Q,
)

ACTION_LABELS.update({"response_submitted": gettext_lazy("received answers for")})


class LinkExpired(Exception):
    """The link's campaign is closed or the link is past its expiry."""


class AlreadyAnswered(Exception):
    def __init__(self, submitted_at: datetime.datetime) -> None:
        self.submitted_at = submitted_at
        super().__init__(submitted_at)


@dataclass(frozen=True)
class GivenAnswer:
    """An answer as the respondent gave it; ``value`` None clears a saved answer."""

    value: Any
    other_text: str = ""


@dataclass(frozen=True)
class Saved:
    response: Response
    removed: list[int]  # ids of answered questions that are no longer in the questionnaire


# ---- the link --------------------------------------------------------------------------------


def invitation_for_token(raw: str) -> Invitation | None:
    """The invitation whose link carries ``raw``, or None for any unknown or malformed token."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.find(raw)
        .select_related("contact", "campaign__questionnaire", "campaign__created_by", "response")
        .first()
    )


def link_expired(invitation: Invitation, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    campaign = invitation.campaign
    return (
        campaign.status != CampaignStatus.OPEN
        or invitation.expires_at <= now
        or campaign.expires_at <= now
    )


def submitted_response(invitation: Invitation) -> Response | None:
    response = getattr(invitation, "response", None)
    return response if response is not None and response.submitted_at else None


def mark_opened(invitation: Invitation) -> None:
    """Note the first time the link was opened."""
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=invitation.opened_at
        )


def active_questions(questionnaire_id: int) -> models.QuerySet[Question]:
    """The questions a respondent sees, in order: unsectioned first, then section by section."""
    return ordered(Question.objects.filter(questionnaire_id=questionnaire_id, archived=False))


def ordered(questions: models.QuerySet[Question]) -> models.QuerySet[Question]:
    return questions.select_related("section").order_by(
        F("section__position").asc(nulls_first=True), "section_id", "position", "pk"
    )


def saved_answers(invitation: Invitation) -> dict[int, Answer]:
    response = getattr(invitation, "response", None)
    if response is None:
        return {}
    return {answer.question_id: answer for answer in response.answers.all()}


# ---- saving ----------------------------------------------------------------------------------


def check_value(question: Question, given: GivenAnswer) -> None:
    """Raise ValidationError unless ``given`` is a well-formed answer to ``question``."""
    problem = _problem(question, given.value)
    chosen = given.value if isinstance(given.value, list) else [given.value]
    if problem is None and question.kind in CHOICE_KINDS and OTHER in chosen:
        problem = None if given.other_text.strip() else _("Say what “other” means.")
    if problem:
        raise ValidationError({f"q{question.pk}": problem})


def _problem(question: Question, value: Any) -> str | None:
    kind = question.kind
    options = [str(option) for option in question.options]
    allowed = set(options) | ({OTHER} if question.allow_other else set())
    if kind in TEXT_KINDS:
        return None if isinstance(value, str) else _("Enter text.")
    if kind == QuestionKind.SINGLE:
        return None if value in allowed else _("Choose one of the options.")
    if kind == QuestionKind.MULTIPLE:
        valid = isinstance(value, list) and value and set(value) <= allowed
        return None if valid else _("Choose among the options.")
    if kind in SCALE_KINDS:
        low, high = scale(question)
        valid = isinstance(value, int) and low <= value <= high
        return None if valid else _("Choose a value on the scale.")
    if kind == QuestionKind.RANKING:
        valid = isinstance(value, list) and sorted(value) == sorted(options)
        return None if valid else _("Give each option a different rank.")
    if kind == QuestionKind.DATE:
        try:
            datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return _("Enter a valid date.")
        return None
    pair = value if isinstance(value, dict) else {}
    valid = all(pair.get(side) in (None, *KanoAnswer.values) for side in KANO_SIDES)
    return None if valid else _("Choose one of the five answers.")


def scale(question: Question) -> tuple[int, int]:
    """The lowest and highest value of a rating or NPS question."""
    if question.kind == QuestionKind.NPS:
        return 0, 10
    return question.scale_min, question.scale_max


def _complete(question: Question, answer: Answer | None) -> bool:
    if answer is None or answer.value in (None, "", []):
        return False
    if question.kind == QuestionKind.KANO:
        return is_kano_pair(answer.value)
    return True


def is_kano_pair(value: Any) -> bool:
    return isinstance(value, dict) and all(value.get(side) for side in KANO_SIDES)


def _lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("campaign").get(pk=invitation.pk)


@transaction.atomic
def save_response(
    invitation: Invitation,
    *,
    answers: Mapping[int, GivenAnswer],
    submit: bool,
    ip: str | None = None,
) -> Saved:
    """Store the given answers (question id → answer) and, with ``submit``, lock the response.

    Answers to questions archived or deleted meanwhile are ignored and reported in
    ``removed``. Locks the invitation row (SELECT … FOR UPDATE), so a double submit stores
    nothing twice. Raises LinkExpired, AlreadyAnswered, or ValidationError (nothing written)
    for a malformed answer or, on submit, an unanswered required question.
    """
    invitation = _lock_invitation(invitation)
    if link_expired(invitation):
        raise LinkExpired
    response, _created = Response.objects.get_or_create(invitation=invitation)
    if response.submitted_at:
        raise AlreadyAnswered(response.submitted_at)
    questions = {q.pk: q for q in active_questions(invitation.campaign.questionnaire_id)}
    removed = sorted(pk for pk in answers if pk not in questions)
    kept = {pk: given for pk, given in answers.items() if pk in questions}
    for pk, given in kept.items():
        if given.value is None:
            Answer.objects.filter(response=response, question_id=pk).delete()
            continue
        check_value(questions[pk], given)
        Answer.objects.update_or_create(
            response=response,
            question_id=pk,
            defaults={"value": given.value, "other_text": given.other_text.strip()[:500]},
        )
    if submit:
        _submit(response, questions, ip=ip)
    response.save(update_fields=["saved_at", "submitted_at", "submitted_ip"])
    return Saved(response, removed)


def _submit(response: Response, questions: Mapping[int, Question], *, ip: str | None) -> None:
    stored = {answer.question_id: answer for answer in response.answers.all()}
    missing = {
        f"q{pk}": _("This question needs an answer.")
        for pk, question in questions.items()
        if question.required and not _complete(question, stored.get(pk))
    }
    if missing:
        raise ValidationError(missing)
    response.submitted_at = timezone.now()
    response.submitted_ip = ip
    campaign = response.invitation.campaign
    audit.record(
        campaign,
        "response_submitted",
        actor=None,
        changes={"contact": str(response.invitation.contact)},
    )


# ---- results ---------------------------------------------------------------------------------


@dataclass
class TextAnswer:
    answer_id: int
    respondent: str
    text: str


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    labels: list[str] = field(default_factory=list)  # chart bars
    values: list[float] = field(default_factory=list)
    average: float | None = None
    nps: int | None = None
    texts: list[TextAnswer] = field(default_factory=list)  # free text, dates, "other"
    kano: kano_model.Tally | None = None

    @property
    def kano_counts(self) -> list[int]:
        """Counts in the table's column order: A, O, M, I, R, Q."""
        if self.kano is None:
            return []
        return [self.kano.counts[category] for category in KANO_COLUMNS]

    @property
    def kano_label(self) -> str:
        return str(KanoCategory(self.kano.result).label) if self.kano and self.kano.result else ""

    @property
    def chart(self) -> dict[str, Any] | None:
        if not self.labels:
            return None
        return {"id": self.question.pk, "labels": self.labels, "values": self.values}


@dataclass
class Respondent:
    name: str
    email: str
    submitted_at: datetime.datetime
    answers: dict[int, Answer]


@dataclass
class Results:
    invited: int
    submitted: int
    questions: list[QuestionResult]
    respondents: list[Respondent]

    @property
    def rate(self) -> int:
        """Percent of invitees who submitted."""
        return round(100 * self.submitted / self.invited) if self.invited else 0

    @property
    def kano_rows(self) -> list[QuestionResult]:
        return [row for row in self.questions if row.kano is not None]

    @property
    def charts(self) -> list[dict[str, Any]]:
        return [row.chart for row in self.questions if row.chart]


def campaign_results(campaign: Campaign) -> Results:
    """Everything the results page, its export and the API show, in four queries."""
    counts = campaign.invitations.aggregate(
        invited=Count("pk"), submitted=Count("pk", filter=Q(response__submitted_at__isnull=False))
    )
    responses = list(
        Response.objects.filter(invitation__campaign=campaign, submitted_at__isnull=False)
        .select_related("invitation__contact")
        .order_by("submitted_at", "pk")
    )
    answers = Answer.objects.filter(response__in=[response.pk for response in responses])
    by_response: dict[int, dict[int, Answer]] = defaultdict(dict)
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers.order_by("pk"):
        by_response[answer.response_id][answer.question_id] = answer
        by_question[answer.question_id].append(answer)
    respondents = [
        Respondent(
            name=response.invitation.contact.name,
            email=response.invitation.contact.email,
            submitted_at=response.submitted_at,  # type: ignore[arg-type]
            answers=by_response[response.pk],
        )
        for response in responses
    ]
    names = {response.pk: response.invitation.contact.name for response in responses}
    questions = ordered(Question.objects.filter(questionnaire_id=campaign.questionnaire_id))
    rows = [
        aggregate(question, by_question[question.pk], names)
        for question in questions
        if not question.archived or by_question[question.pk]
    ]
    return Results(counts["invited"], counts["submitted"], rows, respondents)


def aggregate(
    question: Question, answers: list[Answer], names: Mapping[int, str]
) -> QuestionResult:
    """One question's answers summed up as its kind asks."""
    row = QuestionResult(question, answered=len(answers))
    kind = question.kind
    if kind in CHOICE_KINDS:
        _choice_counts(row, answers)
    elif kind in SCALE_KINDS:
        _scale_counts(row, answers)
    elif kind == QuestionKind.RANKING:
        _average_ranks(row, answers)
    elif kind == QuestionKind.KANO:
        pairs: list[Any] = [answer.value for answer in answers if is_kano_pair(answer.value)]
        row.kano = kano_model.tally((pair["functional"], pair["dysfunctional"]) for pair in pairs)
    row.texts = [
        TextAnswer(answer.pk, names.get(answer.response_id, ""), text)
        for answer, text in _written(kind, answers)
    ]
    return row


def _written(kind: str, answers: list[Answer]) -> list[tuple[Answer, str]]:
    """The answers to list word for word: free text, dates, and written-in "other" choices."""
    if kind in CHOICE_KINDS:
        return [(answer, answer.other_text) for answer in answers if answer.other_text]
    if kind in (*TEXT_KINDS, QuestionKind.DATE):
        return [(answer, str(answer.value)) for answer in answers]
    return []


def _choice_counts(row: QuestionResult, answers: Iterable[Answer]) -> None:
    chosen: Counter[str] = Counter()
    for answer in answers:
        value: Any = answer.value
        chosen.update(value if isinstance(value, list) else [value])
    options = [str(option) for option in row.question.options]
    row.labels = options + ([_("Other")] if row.question.allow_other else [])
    row.values = [chosen[option] for option in options]
    if row.question.allow_other:
        row.values.append(chosen[OTHER])


def _scale_counts(row: QuestionResult, answers: list[Answer]) -> None:
    is_nps = row.question.kind == QuestionKind.NPS
    low, high = scale(row.question)
    values = [answer.value for answer in answers if isinstance(answer.value, int)]
    given = Counter(values)
    row.labels = [str(value) for value in range(low, high + 1)]
    row.values = [given[value] for value in range(low, high + 1)]
    if values:
        row.average = round(sum(values) / len(values), 1)
    if is_nps and values:
        promoters = sum(1 for value in values if value >= 9)
        detractors = sum(1 for value in values if value <= 6)
        row.nps = round(100 * (promoters - detractors) / len(values))


def _average_ranks(row: QuestionResult, answers: list[Answer]) -> None:
    """Average rank per option, 1 = best: a shorter bar is a better-ranked option."""
    ranks: dict[str, list[int]] = defaultdict(list)
    for answer in answers:
        for rank, option in enumerate(answer.value or [], start=1):
            ranks[option].append(rank)
    options = [str(option) for option in row.question.options]
    if answers:
        row.labels = options
        row.values = [
            round(sum(ranks[option]) / len(ranks[option]), 2) if ranks[option] else 0
            for option in options
        ]


def display_value(question: Question, answer: Answer | None) -> str:
    """An answer as one readable cell; a Kano pair as "functional / dysfunctional"."""
    if answer is None or answer.value in (None, "", []):
        return ""
    value, labels = answer.value, dict(KanoAnswer.choices)
    if question.kind == QuestionKind.KANO:
        return " / ".join(str(labels.get(value.get(side), "—")) for side in KANO_SIDES)
    if question.kind in CHOICE_KINDS:
        chosen = value if isinstance(value, list) else [value]
        return "; ".join(answer.other_text if item == OTHER else str(item) for item in chosen)
    if question.kind == QuestionKind.RANKING:
        return "; ".join(f"{rank}. {option}" for rank, option in enumerate(value, start=1))
    return str(value)
