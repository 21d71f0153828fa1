"""The questionnaire library (questionnaires and templates) and the builder: header, sections,
questions of every type, order, copy and delete."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.discovery.forms.questionnaires import (
    CopyForm,
    LibraryFilterForm,
    QuestionForm,
    QuestionnaireCreateForm,
    QuestionnaireEditForm,
    SectionForm,
)
from charter.discovery.models import Question, Questionnaire, QuestionSection
from charter.discovery.services import questionnaires as services

PER_PAGE = 25
RESOURCE = "discovery.questionnaire"


# ---- lookups -----------------------------------------------------------------------------------


def _questionnaire(request: HttpRequest, pk: int, action: str = "view") -> Questionnaire:
    return get_object_or_404(Questionnaire.objects.for_user(request.user, action), pk=pk)


def _editable(request: HttpRequest, pk: int) -> Questionnaire:
    """The questionnaire, if the user may change it (templates: managers only), else 403."""
    questionnaire = _questionnaire(request, pk, "change")
    services.check_may_edit(request.user, questionnaire)
    return questionnaire


def _in_library(request: HttpRequest, rows: QuerySet[Any], pk: int) -> Any:
    """A section or question of a questionnaire the user may change (templates: managers)."""
    library = Questionnaire.objects.for_user(request.user, "change")
    row = get_object_or_404(
        rows.select_related("questionnaire").filter(questionnaire__in=library), pk=pk
    )
    services.check_may_edit(request.user, row.questionnaire)
    return row


def _may_make_templates(request: HttpRequest) -> bool:
    return policy.allows(request.user, RESOURCE, "manage_templates")


# ---- the library -------------------------------------------------------------------------------


def _library_rows(request: HttpRequest, filters: dict[str, Any]) -> QuerySet[Any]:
    rows = Questionnaire.objects.for_user(request.user).filter(is_template=filters["templates"])
    if filters["q"]:
        rows = rows.filter(title__icontains=filters["q"])
    if filters["language"]:
        rows = rows.filter(language=filters["language"])
    return (
        rows.select_related("created_by")
        .annotate(
            question_count=Count("questions", filter=Q(questions__archived=False), distinct=True),
            campaign_count=Count("campaigns", distinct=True),
        )
        .order_by("title", "pk")
    )


@require_GET
@policy.requires(RESOURCE, "view")
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    """Questionnaires and templates in two tabs: search by title, filter by language."""
    filter_form = LibraryFilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(_library_rows(request, filters), PER_PAGE).get_page(request.GET.get("page"))
    totals = Questionnaire.objects.for_user(request.user).aggregate(
        templates=Count("pk", filter=Q(is_template=True)),
        questionnaires=Count("pk", filter=Q(is_template=False)),
    )
    context = {
        "page": page,
        "filter_form": filter_form,
        "templates_tab": filters["templates"],
        "totals": totals,
        "searching": bool(filters["q"] or filters["language"]),
    }
    return render(request, "discovery/questionnaires/list.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "add")
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    """A blank questionnaire, or one that starts as a copy of a template."""
    initial = {
        "language": getattr(request.user, "language", "") or "zh-hans",
        "template": request.GET.get("template"),
    }
    form = QuestionnaireCreateForm(
        request.POST or None, initial=initial, may_make_templates=_may_make_templates(request)
    )
    created: list[Questionnaire] = []
    status = 200
    if request.method == "POST":
        status = (
            submit(
                form,
                lambda data: created.append(
                    services.create_questionnaire(
                        actor=request.user, template=data["template"], **form.header()
                    )
                ),
            )
            or 0
        )
        if created:
            messages.success(
                request, _("The questionnaire %(title)s was created.") % {"title": created[0]}
            )
            return redirect(created[0])
    context = {"form": form, "questionnaire": None}
    return render(request, "discovery/questionnaires/form.html", context, status=status)


# ---- the builder -------------------------------------------------------------------------------


@dataclass
class SectionGroup:
    section: QuestionSection | None
    questions: list[Question] = field(default_factory=list)


def _groups(questionnaire: Questionnaire) -> list[SectionGroup]:
    """The sections in order, each with its questions, then the questions without a section."""
    groups = {section.pk: SectionGroup(section) for section in questionnaire.sections.all()}
    loose = SectionGroup(None)
    for question in questionnaire.questions.all():
        groups.get(question.section_id, loose).questions.append(question)  # type: ignore[arg-type]
    return [*groups.values(), loose]


def _builder_context(request: HttpRequest, questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "questionnaire": questionnaire,
        "groups": _groups(questionnaire),
        "may_edit": services.may_edit(request.user, questionnaire),
    }


def _builder_rows(request: HttpRequest) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.for_user(request.user).prefetch_related("sections", "questions")


@require_GET
@policy.requires(RESOURCE, "view")
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(
        _builder_rows(request).annotate(campaign_count=Count("campaigns")), pk=pk
    )
    context = {
        **_builder_context(request, questionnaire),
        "may_make_templates": _may_make_templates(request),
    }
    return render(request, "discovery/questionnaires/detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the header; a save based on an older version is refused (409)."""
    questionnaire = _editable(request, pk)
    form = QuestionnaireEditForm.for_questionnaire(
        questionnaire, request.POST or None, may_make_templates=_may_make_templates(request)
    )
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_questionnaire(
                questionnaire,
                actor=request.user,
                expected_version=data["version"],
                **form.header(),
            ),
        )
        if status is None:
            messages.success(request, _("The questionnaire was saved."))
            return redirect(questionnaire)
        questionnaire.refresh_from_db()  # the failed attempt changed the object in memory only
    context = {"form": form, "questionnaire": questionnaire}
    return render(request, "discovery/questionnaires/form.html", context, status=status)


@require_POST
@policy.requires(RESOURCE, "add")
def questionnaire_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a questionnaire (or template) with its sections and questions; managers may copy
    as a template."""
    source = _questionnaire(request, pk)
    form = CopyForm(request.POST)
    as_template = form.is_valid() and form.cleaned_data["as_template"]
    copy = services.copy_questionnaire(source, actor=request.user, as_template=as_template)
    messages.success(
        request, _("The copy %(title)s was created; edit it as you need.") % {"title": copy}
    )
    return redirect(copy)


def _confirm(request: HttpRequest, questionnaire: Questionnaire, **context: Any) -> HttpResponse:
    return render(
        request,
        "discovery/questionnaires/confirm_delete.html",
        {"questionnaire": questionnaire, **context},
    )


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "delete")
def questionnaire_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, unless a campaign uses the questionnaire."""
    questionnaire = _questionnaire(request, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_questionnaire(questionnaire, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(questionnaire)
        messages.success(
            request, _("The questionnaire %(title)s was deleted.") % {"title": questionnaire}
        )
        return redirect("discovery:questionnaire_list")
    in_use = questionnaire.campaigns.exists()
    return _confirm(
        request,
        questionnaire,
        heading=_("Delete “%(title)s”?") % {"title": questionnaire},
        text=_("The questionnaire and its sections and questions are deleted."),
        blocked=in_use
        and _("Campaigns use this questionnaire, so it cannot be deleted. Copy it to change it."),
    )


# ---- sections ----------------------------------------------------------------------------------


def _section_form_page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    form: SectionForm,
    status: int,
    section: QuestionSection | None = None,
) -> HttpResponse:
    context = {"form": form, "questionnaire": questionnaire, "section": section}
    return render(request, "discovery/questionnaires/section_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def questionnaire_section_create(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _editable(request, pk)
    form = SectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = (
            submit(
                form,
                lambda data: services.add_section(questionnaire, actor=request.user, **data),
            )
            or 0
        )
        if not status:
            messages.success(request, _("The section was added."))
            return redirect(questionnaire)
    return _section_form_page(request, questionnaire, form, status)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def questionnaire_section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = _in_library(request, QuestionSection.objects.all(), pk)
    form = SectionForm(
        request.POST or None,
        initial={name: getattr(section, name) for name in services.SECTION_FIELDS},
    )
    status = 200
    if request.method == "POST":
        status = (
            submit(form, lambda data: services.update_section(section, actor=request.user, **data))
            or 0
        )
        if not status:
            messages.success(request, _("The section was saved."))
            return redirect(section.questionnaire)
        section.refresh_from_db()
    return _section_form_page(request, section.questionnaire, form, status, section)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def questionnaire_section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the section, keeping its questions."""
    section = _in_library(request, QuestionSection.objects.all(), pk)
    if request.method == "POST":
        services.delete_section(section, actor=request.user)
        messages.success(
            request,
            _("The section %(title)s was deleted; its questions are now without a section.")
            % {"title": section},
        )
        return redirect(section.questionnaire)
    return _confirm(
        request,
        section.questionnaire,
        heading=_("Delete the section “%(title)s”?") % {"title": section},
        text=_("Its questions are kept, without a section."),
    )


# ---- questions ---------------------------------------------------------------------------------


def _question_form_page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    form: QuestionForm,
    status: int,
    question: Question | None = None,
) -> HttpResponse:
    functional, dysfunctional = services.kano_wording("{feature}", questionnaire.language)
    context = {
        "form": form,
        "questionnaire": questionnaire,
        "question": question,
        "kano_functional": functional,
        "kano_dysfunctional": dysfunctional,
    }
    return render(request, "discovery/questionnaires/question_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a question; ``?kind=`` and ``?section=`` preselect its type and section."""
    questionnaire = _editable(request, pk)
    initial = {"kind": request.GET.get("kind"), "section": request.GET.get("section")}
    form = QuestionForm(request.POST or None, initial=initial, questionnaire=questionnaire)
    status = 200
    if request.method == "POST":
        status = (
            submit(
                form,
                lambda data: services.add_question(
                    questionnaire, actor=request.user, **form.question_fields()
                ),
            )
            or 0
        )
        if not status:
            messages.success(request, _("The question was added."))
            return redirect(questionnaire)
    return _question_form_page(request, questionnaire, form, status)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _in_library(request, Question.objects.select_related("section"), pk)
    form = QuestionForm.for_question(question, request.POST or None)
    status = 200
    if request.method == "POST":
        status = (
            submit(
                form,
                lambda data: services.update_question(
                    question, actor=request.user, **form.question_fields()
                ),
            )
            or 0
        )
        if not status:
            messages.success(request, _("The question was saved."))
            return redirect(_question_url(question))
        question.refresh_from_db()
    return _question_form_page(request, question.questionnaire, form, status, question)


def _question_url(question: Question) -> str:
    return f"{question.questionnaire.get_absolute_url()}#question-{question.pk}"


@require_POST
@policy.requires(RESOURCE, "change")
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a question up or down within its section; HTMX gets the builder back."""
    question = _in_library(request, Question.objects.all(), pk)
    direction = request.POST.get("direction", "")
    if direction in ("up", "down"):
        services.move_question(question, actor=request.user, direction=direction)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(_question_url(question))
    questionnaire = get_object_or_404(_builder_rows(request), pk=question.questionnaire_id)
    return render(
        request,
        "discovery/questionnaires/partials/builder.html",
        _builder_context(request, questionnaire),
    )


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the question, or archives it when answered."""
    question = _in_library(request, Question.objects.all(), pk)
    if request.method == "POST":
        archived = services.delete_question(question, actor=request.user)
        if archived:
            message = _(
                "The question has answers, so it was archived: results keep its answers and "
                "respondents no longer see it."
            )
        else:
            message = _("The question was deleted.")
        messages.success(request, message)
        return redirect(question.questionnaire)
    answered = question.answers.exists()
    return _confirm(
        request,
        question.questionnaire,
        heading=_("Delete the question “%(text)s”?") % {"text": question.text},
        text=_(
            "It has answers, so it will be archived: results keep them and respondents no "
            "longer see it."
        )
        if answered
        else _("The question is deleted."),
        confirm_label=_("Archive") if answered else _("Delete"),
    )


urls = [
    path("questionnaires/", questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/copy/", questionnaire_copy, name="questionnaire_copy"),
    path("questionnaires/<int:pk>/delete/", questionnaire_delete, name="questionnaire_delete"),
    path(
        "questionnaires/<int:pk>/sections/new/",
        questionnaire_section_create,
        name="questionnaire_section_create",
    ),
    path(
        "questionnaires/sections/<int:pk>/edit/",
        questionnaire_section_edit,
        name="questionnaire_section_edit",
    ),
    path(
        "questionnaires/sections/<int:pk>/delete/",
        questionnaire_section_delete,
        name="questionnaire_section_delete",
    ),
    path("questionnaires/<int:pk>/questions/new/", question_create, name="question_create"),
    path("questionnaires/questions/<int:pk>/edit/", question_edit, name="question_edit"),
    path("questionnaires/questions/<int:pk>/move/", question_move, name="question_move"),
    path("questionnaires/questions/<int:pk>/delete/", question_delete, name="question_delete"),
]
