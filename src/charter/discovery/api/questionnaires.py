"""The questionnaire library through the API: questionnaires and templates, their sections and
questions. The same services as the builder pages; templates are edited by managers only."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, set_etag, update_with_if_match
from charter.discovery.choices import QuestionKind
from charter.discovery.models import Question, Questionnaire, QuestionSection
from charter.discovery.services import questionnaires as services

router = Router(tags=["questionnaires"])
RESOURCE = "discovery.questionnaire"
Language = str

LANGUAGE_HELP = "One of: " + ", ".join(code for code, _name in settings.LANGUAGES) + "."


# ---- schemas -----------------------------------------------------------------------------------


class SectionOut(Schema):
    id: int
    position: int = Field(description="Sections are shown in this order.")
    title: str
    description: str


class QuestionOut(Schema):
    id: int
    section_id: int | None = Field(description="None: the question is shown without a section.")
    position: int = Field(description="Order among the questionnaire's questions.")
    kind: QuestionKind
    text: str = Field(description="The question; for a Kano pair the functional question.")
    help_text: str
    required: bool
    options: list[str] = Field(description="Choices of single, multiple and ranking questions.")
    allow_other: bool = Field(description="Single and multiple choice: a written-in answer.")
    scale_min: int = Field(description="Rating: lowest point (NPS: 0).")
    scale_max: int = Field(description="Rating: highest point (NPS: 10).")
    kano_feature: str = Field(description="Kano pair: the feature both questions ask about.")
    dysfunctional_text: str = Field(description="Kano pair: asked as if the feature were absent.")
    archived: bool = Field(description="Kept for its answers; respondents no longer see it.")


class QuestionnaireOut(Schema):
    id: int
    title: str
    intro: str = Field(description="Shown to the respondent above the questions.")
    language: Language = Field(description=LANGUAGE_HELP)
    is_template: bool = Field(description="Templates are what new questionnaires copy.")
    question_count: int = Field(description="Questions respondents see (not archived).")
    campaign_count: int = Field(description="Campaigns that sent it.")
    created_by_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(description="Raised by every header edit; the ETag is this in quotes.")


class QuestionnaireDetailOut(QuestionnaireOut):
    sections: list[SectionOut]
    questions: list[QuestionOut] = Field(description="All questions, archived ones included.")


class QuestionnaireIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    intro: str = ""
    language: Language = Field("zh-hans", description=LANGUAGE_HELP)
    is_template: bool = Field(False, description="Managers only.")
    template_id: int | None = Field(
        None, description="Start as a copy of this template's sections and questions."
    )


class QuestionnairePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    intro: str | None = None
    language: Language | None = Field(None, description=LANGUAGE_HELP)
    is_template: bool | None = Field(None, description="Managers only.")


class CopyIn(Schema):
    as_template: bool = Field(False, description="Copy as a template (managers only).")
    title: str = Field("", max_length=200, description="Default: the title with “(copy)”.")


class SectionIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""


class SectionPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None


class QuestionFields(Schema):
    section_id: int | None = Field(None, description="A section of the same questionnaire.")
    help_text: str = Field("", max_length=500)
    required: bool = False
    options: list[str] = Field(
        default_factory=list, description="Single, multiple, ranking: ≥2 different options."
    )
    allow_other: bool = Field(False, description="Single and multiple choice only.")
    scale_min: int = Field(1, description="Rating only: from (at most 11 points).")
    scale_max: int = Field(5, description="Rating only: to.")
    kano_feature: str = Field("", max_length=200, description="Kano pair: required.")
    dysfunctional_text: str = Field(
        "", max_length=500, description="Kano pair: defaults to the usual wording."
    )


class QuestionIn(QuestionFields):
    kind: QuestionKind
    text: str = Field(
        "", max_length=500, description="Required, except for a Kano pair (usual wording)."
    )


class QuestionPatch(Schema):
    section_id: int | None = None
    kind: QuestionKind | None = None
    text: str | None = Field(None, max_length=500)
    help_text: str | None = Field(None, max_length=500)
    required: bool | None = None
    options: list[str] | None = None
    allow_other: bool | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    kano_feature: str | None = Field(None, max_length=200)
    dysfunctional_text: str | None = Field(None, max_length=500)


class LibraryFilters(Schema):
    template: bool | None = Field(None, description="true: templates; false: questionnaires.")
    q: str = Field("", description="Words in the title.")
    language: Language = Field("", description=LANGUAGE_HELP)


# ---- helpers -----------------------------------------------------------------------------------


def _library(request: HttpRequest, action: str = "view") -> QuerySet[Any]:
    return Questionnaire.objects.for_user(request.user, action).annotate(
        question_count=Count("questions", filter=Q(questions__archived=False), distinct=True),
        campaign_count=Count("campaigns", distinct=True),
    )


def _detail(request: HttpRequest, pk: int) -> Questionnaire:
    return get_object_or_404(_library(request).prefetch_related("sections", "questions"), pk=pk)


def _in_library(request: HttpRequest, rows: QuerySet[Any], pk: int) -> Any:
    library = Questionnaire.objects.for_user(request.user, "change")
    return get_object_or_404(
        rows.select_related("questionnaire").filter(questionnaire__in=library), pk=pk
    )


def _check_language(values: dict[str, Any]) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if "language" in values and values["language"] not in codes:
        raise ValidationError({"language": _("Choose one of the languages offered.")})


def _question_fields(questionnaire: Questionnaire, values: dict[str, Any]) -> dict[str, Any]:
    """Schema values → service keywords: section_id becomes a section of the questionnaire."""
    if "section_id" in values:
        section_id = values.pop("section_id")
        section = (
            questionnaire.sections.filter(pk=section_id).first() if section_id is not None else None
        )
        if section_id is not None and section is None:
            raise ValidationError({"section_id": _("Choose a section of this questionnaire.")})
        values["section"] = section
    return values


def _problem_fields(error: ValidationError) -> ValidationError:
    """The service names the section ``section``; the API calls it ``section_id``."""
    if hasattr(error, "error_dict") and "section" in error.error_dict:
        error.error_dict["section_id"] = error.error_dict.pop("section")
    return error


# ---- questionnaires ----------------------------------------------------------------------------


@router.get(
    "/questionnaires",
    response=list[QuestionnaireOut],
    summary="The questionnaire library: questionnaires and templates",
)
@policy.api_requires(RESOURCE, "view")
@paginate(LimitOffsetPagination)
def list_questionnaires(request: HttpRequest, filters: Query[LibraryFilters]) -> Any:
    rows = _library(request)
    if filters.template is not None:
        rows = rows.filter(is_template=filters.template)
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    if filters.language:
        rows = rows.filter(language=filters.language)
    return rows.order_by("-is_template", "title", "pk")


@router.post(
    "/questionnaires",
    response={201: QuestionnaireDetailOut},
    summary="Create a questionnaire, blank or from a template (templates: managers)",
)
@policy.api_requires(RESOURCE, "add")
def create_questionnaire(
    request: HttpRequest, response: HttpResponse, payload: QuestionnaireIn
) -> Any:
    values = payload.dict()
    _check_language(values)
    template_id = values.pop("template_id")
    template = None
    if template_id is not None:
        template = Questionnaire.objects.for_user(request.user).filter(pk=template_id).first()
        if template is None:
            raise ValidationError({"template_id": _("Choose a questionnaire of the library.")})
    created = services.create_questionnaire(actor=request.user, template=template, **values)
    questionnaire = _detail(request, created.pk)
    set_etag(response, questionnaire)
    return Status(201, questionnaire)


@router.get(
    "/questionnaires/{questionnaire_id}",
    response=QuestionnaireDetailOut,
    summary="A questionnaire with its sections and questions",
)
@policy.api_requires(RESOURCE, "view")
def get_questionnaire(request: HttpRequest, response: HttpResponse, questionnaire_id: int) -> Any:
    return read_with_etag(
        response,
        _library(request).prefetch_related("sections", "questions"),
        pk=questionnaire_id,
    )


@router.patch(
    "/questionnaires/{questionnaire_id}",
    response=QuestionnaireDetailOut,
    summary="Edit a questionnaire's header (needs If-Match; templates: managers)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_questionnaire(
    request: HttpRequest,
    response: HttpResponse,
    questionnaire_id: int,
    payload: QuestionnairePatch,
) -> Any:
    questionnaire = get_object_or_404(
        Questionnaire.objects.for_user(request.user, "change"), pk=questionnaire_id
    )
    changes = payload.dict(exclude_unset=True)
    _check_language(changes)
    update_with_if_match(request, response, services.update_questionnaire, questionnaire, **changes)
    return _detail(request, questionnaire.pk)


@router.delete(
    "/questionnaires/{questionnaire_id}",
    response={204: None},
    summary="Delete a questionnaire no campaign uses (managers)",
)
@policy.api_requires(RESOURCE, "delete")
def delete_questionnaire(request: HttpRequest, questionnaire_id: int) -> Any:
    questionnaire = get_object_or_404(
        Questionnaire.objects.for_user(request.user, "delete"), pk=questionnaire_id
    )
    services.delete_questionnaire(questionnaire, actor=request.user)
    return Status(204, None)


@router.post(
    "/questionnaires/{questionnaire_id}/copy",
    response={201: QuestionnaireDetailOut},
    summary="Copy a questionnaire with its sections and questions (as a template: managers)",
)
@policy.api_requires(RESOURCE, "add")
def copy_questionnaire(
    request: HttpRequest, response: HttpResponse, questionnaire_id: int, payload: CopyIn
) -> Any:
    source = get_object_or_404(Questionnaire.objects.for_user(request.user), pk=questionnaire_id)
    copy = services.copy_questionnaire(
        source, actor=request.user, as_template=payload.as_template, title=payload.title
    )
    questionnaire = _detail(request, copy.pk)
    set_etag(response, questionnaire)
    return Status(201, questionnaire)


# ---- sections ----------------------------------------------------------------------------------


@router.post(
    "/questionnaires/{questionnaire_id}/sections",
    response={201: SectionOut},
    summary="Add a section at the end of a questionnaire",
)
@policy.api_requires(RESOURCE, "change")
def create_section(request: HttpRequest, questionnaire_id: int, payload: SectionIn) -> Any:
    questionnaire = get_object_or_404(
        Questionnaire.objects.for_user(request.user, "change"), pk=questionnaire_id
    )
    return Status(201, services.add_section(questionnaire, actor=request.user, **payload.dict()))


@router.patch(
    "/questionnaire-sections/{section_id}",
    response=SectionOut,
    summary="Rename or describe a section",
)
@policy.api_requires(RESOURCE, "change")
def update_section(request: HttpRequest, section_id: int, payload: SectionPatch) -> Any:
    section = _in_library(request, QuestionSection.objects.all(), section_id)
    changes = payload.dict(exclude_unset=True)
    return services.update_section(section, actor=request.user, **changes)


@router.delete(
    "/questionnaire-sections/{section_id}",
    response={204: None},
    summary="Delete a section; its questions stay, without a section",
)
@policy.api_requires(RESOURCE, "change")
def delete_section(request: HttpRequest, section_id: int) -> Any:
    section = _in_library(request, QuestionSection.objects.all(), section_id)
    services.delete_section(section, actor=request.user)
    return Status(204, None)


# ---- questions ---------------------------------------------------------------------------------


@router.post(
    "/questionnaires/{questionnaire_id}/questions",
    response={201: QuestionOut},
    summary="Add a question at the end of its section",
)
@policy.api_requires(RESOURCE, "change")
def create_question(request: HttpRequest, questionnaire_id: int, payload: QuestionIn) -> Any:
    questionnaire = get_object_or_404(
        Questionnaire.objects.for_user(request.user, "change"), pk=questionnaire_id
    )
    fields = _question_fields(questionnaire, payload.dict())
    try:
        question = services.add_question(questionnaire, actor=request.user, **fields)
    except ValidationError as error:
        raise _problem_fields(error) from error
    return Status(201, question)


@router.patch("/questions/{question_id}", response=QuestionOut, summary="Edit a question")
@policy.api_requires(RESOURCE, "change")
def update_question(request: HttpRequest, question_id: int, payload: QuestionPatch) -> Any:
    question = _in_library(request, Question.objects.all(), question_id)
    changes = _question_fields(question.questionnaire, payload.dict(exclude_unset=True))
    try:
        return services.update_question(question, actor=request.user, **changes)
    except ValidationError as error:
        raise _problem_fields(error) from error


@router.delete(
    "/questions/{question_id}",
    response={200: QuestionOut, 204: None},
    summary="Delete a question; one with answers is archived instead (200 with the question)",
)
@policy.api_requires(RESOURCE, "change")
def delete_question(request: HttpRequest, question_id: int) -> Any:
    question = _in_library(request, Question.objects.all(), question_id)
    if services.delete_question(question, actor=request.user):
        return Status(200, question)
    return Status(204, None)
