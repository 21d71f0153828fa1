"""The questionnaire library and builder: questionnaires and templates, their sections and
questions. Templates are edited by managers only (``discovery.questionnaire``/``manage_templates``);
every member builds questionnaires and starts them from templates.

Question changes are audited on their questionnaire, as a diff of the question's fields.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit, policy
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.discovery.choices import QuestionKind
from charter.discovery.models import Question, Questionnaire, QuestionSection

HEADER_FIELDS = ("title", "intro", "language", "is_template")
SECTION_FIELDS = ("title", "description")
QUESTION_FIELDS = (
    "section",
    "kind",
    "text",
    "help_text",
    "required",
    "options",
    "allow_other",
    "scale_min",
    "scale_max",
    "kano_feature",
    "dysfunctional_text",
)
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING})
OTHER_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
MAX_SCALE_POINTS = 11
NPS_SCALE = (0, 10)
DEFAULT_SCALE = (1, 5)
OPTION_MAX_LENGTH = 200

# How a question's fields are named in the audit trail of its questionnaire.
QUESTION_CHANGE_KEYS = {
    "section": "section",
    "kind": "question_type",
    "text": "question",
    "help_text": "question_help",
    "required": "question_required",
    "options": "options",
    "allow_other": "allow_other",
    "scale_min": "scale_from",
    "scale_max": "scale_to",
    "kano_feature": "kano_feature",
    "dysfunctional_text": "dysfunctional_question",
    "position": "position",
}

ACTION_LABELS.update(
    {
        "section_added": gettext_lazy("added a section to"),
        "section_changed": gettext_lazy("changed a section of"),
        "section_deleted": gettext_lazy("deleted a section of"),
        "question_added": gettext_lazy("added a question to"),
        "question_changed": gettext_lazy("changed a question of"),
        "question_moved": gettext_lazy("moved a question of"),
        "question_archived": gettext_lazy("archived a question of"),
        "question_deleted": gettext_lazy("deleted a question of"),
    }
)
CHANGE_LABELS.update(
    {
        "copied_from": gettext_lazy("copied from"),
        "section": gettext_lazy("section"),
        "section_description": gettext_lazy("section description"),
        "question": gettext_lazy("question"),
        "question_type": gettext_lazy("question type"),
        "question_help": gettext_lazy("help text"),
        "question_required": gettext_lazy("required"),
        "options": gettext_lazy("options"),
        "allow_other": gettext_lazy("allow “other”"),
        "scale_from": gettext_lazy("scale from"),
        "scale_to": gettext_lazy("scale to"),
        "kano_feature": gettext_lazy("feature"),
        "dysfunctional_question": gettext_lazy("dysfunctional question"),
        "position": gettext_lazy("position"),
        "archived": gettext_lazy("archived"),
    }
)


# ---- rules -------------------------------------------------------------------------------------


def may_edit(user: Any, questionnaire: Questionnaire) -> bool:
    """Members edit questionnaires; templates need ``manage_templates``."""
    if not policy.allows(user, "discovery.questionnaire", "change"):
        return False
    return not questionnaire.is_template or policy.allows(
        user, "discovery.questionnaire", "manage_templates"
    )


def check_may_edit(user: Any, questionnaire: Questionnaire) -> None:
    if not may_edit(user, questionnaire):
        raise PermissionDenied


def _check_may_make_template(user: Any, is_template: bool) -> None:
    if is_template:
        policy.check(user, "discovery.questionnaire", "manage_templates")


def kano_wording(feature: str, language: str) -> tuple[str, str]:
    """The usual functional and dysfunctional questions about ``feature``, in ``language``."""
    with translation.override(language):
        return (
            _("If the system has %(feature)s, how do you feel?") % {"feature": feature},
            _("If the system does NOT have %(feature)s, how do you feel?") % {"feature": feature},
        )


def clean_options(options: Iterable[Any]) -> list[str]:
    """Options stripped of blanks; raises ValidationError unless ≥2, distinct, not too long."""
    cleaned = [str(option).strip() for option in options if str(option).strip()]
    seen: set[str] = set()
    for option in cleaned:
        if len(option) > OPTION_MAX_LENGTH:
            raise ValidationError(
                _("Keep each option under %(limit)d characters.") % {"limit": OPTION_MAX_LENGTH}
            )
        if option in seen:
            raise ValidationError(_("“%(option)s” is listed twice.") % {"option": option})
        seen.add(option)
    if len(cleaned) < 2:
        raise ValidationError(_("Give at least two different options."))
    return cleaned


def _clean_scale(values: dict[str, Any]) -> None:
    low, high = values["scale_min"], values["scale_max"]
    for name, end in (("scale_min", low), ("scale_max", high)):
        if end is None:
            raise ValidationError({name: _("Give both ends of the scale.")})
    if low >= high:
        raise ValidationError({"scale_max": _("The scale must end above where it starts.")})
    if high - low + 1 > MAX_SCALE_POINTS:
        raise ValidationError(
            {"scale_max": _("A scale has at most %(count)d points.") % {"count": MAX_SCALE_POINTS}}
        )


def _clean_kano(values: dict[str, Any], language: str) -> None:
    feature = values["kano_feature"] = (values.get("kano_feature") or "").strip()
    if not feature:
        raise ValidationError({"kano_feature": _("Name the feature the Kano pair asks about.")})
    functional, dysfunctional = kano_wording(feature, language)
    values["text"] = values["text"] or functional
    values["dysfunctional_text"] = values["dysfunctional_text"] or dysfunctional


def clean_question(values: dict[str, Any], *, language: str) -> dict[str, Any]:
    """Normalise a question's fields for its kind (fields of other kinds are reset); raises
    ValidationError keyed by field when the kind's needs are not met."""
    values = dict(values)
    kind = values["kind"]
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose a question type.")})
    for name in ("text", "help_text", "dysfunctional_text"):
        values[name] = (values.get(name) or "").strip()
    if kind == QuestionKind.KANO:
        _clean_kano(values, language)
    else:
        values["kano_feature"] = values["dysfunctional_text"] = ""
    if not values["text"]:
        raise ValidationError({"text": _("Write the question.")})
    if kind in CHOICE_KINDS:
        try:
            values["options"] = clean_options(values.get("options") or [])
        except ValidationError as error:
            raise ValidationError({"options": error.messages}) from error
    else:
        values["options"] = []
    values["allow_other"] = bool(values.get("allow_other")) and kind in OTHER_KINDS
    if kind == QuestionKind.RATING:
        _clean_scale(values)
    else:
        values["scale_min"], values["scale_max"] = (
            NPS_SCALE if kind == QuestionKind.NPS else DEFAULT_SCALE
        )
    return values


# ---- questionnaires ----------------------------------------------------------------------------


def _clean_header(questionnaire: Questionnaire) -> None:
    questionnaire.title = (questionnaire.title or "").strip()
    questionnaire.full_clean(exclude=["created_by"])


def _copy_content(source: Questionnaire, target: Questionnaire) -> None:
    """Copy the sections and the questions (not the archived ones) of ``source``."""
    sections = {}
    for section in source.sections.all():
        sections[section.pk] = QuestionSection.objects.create(
            questionnaire=target,
            position=section.position,
            title=section.title,
            description=section.description,
        )
    Question.objects.bulk_create(
        Question(
            questionnaire=target,
            section=sections.get(question.section_id) if question.section_id else None,
            position=question.position,
            **{name: getattr(question, name) for name in QUESTION_FIELDS if name != "section"},
        )
        for question in source.questions.filter(archived=False)
    )


@transaction.atomic
def create_questionnaire(
    *, actor: Any, template: Questionnaire | None = None, **fields: Any
) -> Questionnaire:
    """A new questionnaire (or template, for managers), optionally starting as a deep copy of
    ``template``'s sections and questions. Raises ValidationError (nothing written)."""
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    _check_may_make_template(actor, bool(fields.get("is_template")))
    questionnaire = Questionnaire(
        **fields, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _clean_header(questionnaire)
    questionnaire.save()
    created = audit.snapshot(questionnaire, HEADER_FIELDS)
    if template is not None:
        _copy_content(template, questionnaire)
        created["copied_from"] = str(template)
    audit.record(questionnaire, "created", actor=actor, changes=audit.diff({}, created))
    return questionnaire


def copy_title(title: str) -> str:
    suffix = _(" (copy)")
    limit = Questionnaire._meta.get_field("title").max_length or 200
    return title[: limit - len(suffix)] + suffix


def copy_questionnaire(
    source: Questionnaire, *, actor: Any, as_template: bool = False, title: str = ""
) -> Questionnaire:
    """A deep copy of ``source`` (titled "… (copy)" unless ``title``), as a questionnaire or,
    for managers, as a template."""
    return create_questionnaire(
        actor=actor,
        template=source,
        title=title.strip() or copy_title(source.title),
        intro=source.intro,
        language=source.language,
        is_template=as_template,
    )


@transaction.atomic
def update_questionnaire(
    questionnaire: Questionnaire, *, actor: Any, expected_version: int, **changes: Any
) -> Questionnaire:
    """Change the header (title, intro, language, template flag). Raises StaleEdit if saved by
    someone since ``expected_version``, ValidationError for invalid values, PermissionDenied
    when a member touches a template or makes one."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    check_may_edit(actor, questionnaire)
    _check_may_make_template(actor, bool(changes.get("is_template")))
    before = audit.snapshot(questionnaire, HEADER_FIELDS)
    for name, value in changes.items():
        setattr(questionnaire, name, value)
    _clean_header(questionnaire)
    update_versioned(questionnaire, expected_version=expected_version, fields=changes or ["title"])
    changed = audit.diff(before, audit.snapshot(questionnaire, HEADER_FIELDS))
    if changed:
        audit.record(questionnaire, "updated", actor=actor, changes=changed)
    return questionnaire


@transaction.atomic
def delete_questionnaire(questionnaire: Questionnaire, *, actor: Any) -> None:
    """Delete a questionnaire no campaign uses (campaigns keep theirs: PROTECT)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    check_may_edit(actor, locked)
    if locked.campaigns.exists():
        raise ValidationError(
            _("Campaigns use this questionnaire, so it cannot be deleted. Copy it to change it."),
            code="in_use",
        )
    before = audit.snapshot(locked, HEADER_FIELDS)
    audit.record(locked, "deleted", actor=actor, changes={k: [v, None] for k, v in before.items()})
    locked.delete()


def _lock(questionnaire: Questionnaire) -> Questionnaire:
    """SELECT … FOR UPDATE on the questionnaire: positions within it are serialised."""
    return Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)


# ---- sections ----------------------------------------------------------------------------------


def _section_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    renamed = {"title": "section", "description": "section_description"}
    return {renamed[name]: values for name, values in audit.diff(before, after).items()}


@transaction.atomic
def add_section(
    questionnaire: Questionnaire, *, actor: Any, title: str, description: str = ""
) -> QuestionSection:
    check_may_edit(actor, questionnaire)
    _lock(questionnaire)
    top = questionnaire.sections.aggregate(top=Max("position"))["top"]
    section = QuestionSection(
        questionnaire=questionnaire,
        position=(top or 0) + 1,
        title=title.strip(),
        description=description.strip(),
    )
    section.full_clean()
    section.save()
    changes = _section_changes({}, audit.snapshot(section, SECTION_FIELDS))
    audit.record(questionnaire, "section_added", actor=actor, changes=changes)
    return section


@transaction.atomic
def update_section(section: QuestionSection, *, actor: Any, **changes: Any) -> QuestionSection:
    unknown = set(changes) - set(SECTION_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    check_may_edit(actor, section.questionnaire)
    before = audit.snapshot(section, SECTION_FIELDS)
    for name, value in changes.items():
        setattr(section, name, (value or "").strip())
    section.full_clean()
    section.save(update_fields=list(changes) or None)
    changed = _section_changes(before, audit.snapshot(section, SECTION_FIELDS))
    if changed:
        changed.setdefault("section", [section.title, section.title])
        audit.record(section.questionnaire, "section_changed", actor=actor, changes=changed)
    return section


@transaction.atomic
def delete_section(section: QuestionSection, *, actor: Any) -> None:
    """Delete a section; its questions stay, without a section."""
    questionnaire = section.questionnaire
    check_may_edit(actor, questionnaire)
    _lock(questionnaire)
    changes = _section_changes(audit.snapshot(section, SECTION_FIELDS), {})
    changes = {key: [values[0], None] for key, values in changes.items()}
    section.delete()
    audit.record(questionnaire, "section_deleted", actor=actor, changes=changes)


# ---- questions ---------------------------------------------------------------------------------


def _question_snapshot(question: Question) -> dict[str, Any]:
    values = audit.snapshot(question, QUESTION_CHANGE_KEYS)
    return {QUESTION_CHANGE_KEYS[name]: value for name, value in values.items()}


def _question_event(question: Question, action: str, *, actor: Any, changes: dict) -> None:
    """An event on the questionnaire naming the question even when its text did not change."""
    changes.setdefault("question", [question.text, question.text])
    audit.record(question.questionnaire, action, actor=actor, changes=changes)


def _check_section(questionnaire: Questionnaire, section: QuestionSection | None) -> None:
    if section is not None and section.questionnaire_id != questionnaire.pk:
        raise ValidationError({"section": _("Choose a section of this questionnaire.")})


def _next_position(questionnaire: Questionnaire) -> int:
    return (questionnaire.questions.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def add_question(questionnaire: Questionnaire, *, actor: Any, **fields: Any) -> Question:
    """Add a question at the end of its section (or of the questions without one). A Kano pair
    without wording gets the usual questions about its feature, in the questionnaire's
    language. Raises ValidationError keyed by field (nothing written)."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    check_may_edit(actor, questionnaire)
    blank = Question()
    values = {name: getattr(blank, name) for name in QUESTION_FIELDS}
    values = clean_question({**values, **fields}, language=questionnaire.language)
    _check_section(questionnaire, values["section"])
    _lock(questionnaire)
    question = Question(
        questionnaire=questionnaire, position=_next_position(questionnaire), **values
    )
    question.full_clean()
    question.save()
    changes = audit.diff({}, _question_snapshot(question))
    _question_event(question, "question_added", actor=actor, changes=changes)
    return question


@transaction.atomic
def update_question(question: Question, *, actor: Any, **changes: Any) -> Question:
    """Change a question. Its type is fixed once it has answers (they would no longer fit);
    moving it to another section puts it last there. Raises ValidationError keyed by field."""
    unknown = set(changes) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    questionnaire = question.questionnaire
    check_may_edit(actor, questionnaire)
    values = {name: getattr(question, name) for name in QUESTION_FIELDS}
    values = clean_question({**values, **changes}, language=questionnaire.language)
    _check_section(questionnaire, values["section"])
    if values["kind"] != question.kind and question.answers.exists():
        raise ValidationError(
            {"kind": _("This question has answers, so its type cannot change. Add a new one.")}
        )
    _lock(questionnaire)
    before = _question_snapshot(question)
    moved = values["section"] != question.section
    for name, value in values.items():
        setattr(question, name, value)
    if moved:
        question.position = _next_position(questionnaire)
    question.full_clean()
    question.save()
    changed = audit.diff(before, _question_snapshot(question))
    if changed:
        _question_event(question, "question_changed", actor=actor, changes=changed)
    return question


def _neighbour(question: Question, direction: str) -> Question | None:
    rows = question.questionnaire.questions.filter(section=question.section, archived=False)
    if direction == "up":
        return rows.filter(position__lt=question.position).order_by("-position", "-pk").first()
    return rows.filter(position__gt=question.position).order_by("position", "pk").first()


def _renumber(questionnaire: Questionnaire) -> None:
    """Positions 1…n in the current order, so two questions never share one."""
    for number, pk in enumerate(questionnaire.questions.values_list("pk", flat=True), start=1):
        Question.objects.filter(pk=pk).exclude(position=number).update(position=number)


@transaction.atomic
def move_question(question: Question, *, actor: Any, direction: str) -> bool:
    """Swap the question with the one above (``up``) or below (``down``) it in its section;
    False when it is already first or last there."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction is up or down, not {direction!r}")
    questionnaire = question.questionnaire
    check_may_edit(actor, questionnaire)
    _lock(questionnaire)
    _renumber(questionnaire)
    question.refresh_from_db(fields=["position"])
    other = _neighbour(question, direction)
    if other is None:
        return False
    old = question.position
    question.position, other.position = other.position, question.position
    Question.objects.filter(pk=question.pk).update(position=question.position)
    Question.objects.filter(pk=other.pk).update(position=other.position)
    changes = {"position": [old, question.position]}
    _question_event(question, "question_moved", actor=actor, changes=changes)
    return True


@transaction.atomic
def delete_question(question: Question, *, actor: Any) -> bool:
    """Delete a question, or archive it when it has answers (results keep them; respondents
    no longer see it). Returns True when archived."""
    questionnaire = question.questionnaire
    check_may_edit(actor, questionnaire)
    _lock(questionnaire)
    if question.answers.exists():
        question.archived = True
        question.save(update_fields=["archived"])
        changes = {"question": [question.text, question.text], "archived": [False, True]}
        audit.record(questionnaire, "question_archived", actor=actor, changes=changes)
        return True
    changes = {key: [value, None] for key, value in _question_snapshot(question).items()}
    question.delete()
    audit.record(questionnaire, "question_deleted", actor=actor, changes=changes)
    return False
