"""The public answering page of a personal questionnaire link (no sign-in), and the staff
preview of a questionnaire drawn by the same form and templates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from charter.core import audit, policy
from charter.core.forms import add_service_errors
from charter.core.tokens import link_page
from charter.discovery.forms.respond import AnswerForm
from charter.discovery.models import Invitation, Question, Questionnaire
from charter.discovery.services import responses


def _page(
    request: HttpRequest, template: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    return render(request, f"discovery/respond/{template}", context or {}, status=status)


def _removed_message(request: HttpRequest, removed: list[int]) -> None:
    """Say which answered questions were taken out of the questionnaire meanwhile."""
    if not removed:
        return
    known = list(Question.objects.filter(pk__in=removed).values_list("text", flat=True))
    gone = len(removed) - len(known)
    texts = [f"“{text}”" for text in known]
    if gone:
        texts.append(
            ngettext("%(count)d deleted question", "%(count)d deleted questions", gone)
            % {"count": gone}
        )
    messages.warning(
        request,
        _(
            "These questions were removed from the questionnaire while you answered, so "
            "their answers were not kept: %(questions)s. Your other answers were saved."
        )
        % {"questions": "; ".join(texts)},
    )


def _answered(request: HttpRequest, invitation: Invitation, *, again: bool) -> HttpResponse:
    context = {"invitation": invitation, "response": invitation.response, "again": again}
    return _page(request, "answered.html", context, status=409 if again else 200)


def _expired(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return _page(request, "expired.html", {"invitation": invitation}, status=410)


@policy.public
@require_http_methods(["GET", "POST"])
@link_page
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """Answer through a personal link: save and continue later, or submit once."""
    invitation = responses.invitation_for_token(token)
    if invitation is None:
        return _page(request, "invalid.html", status=404)
    translation.activate(invitation.language)
    request.LANGUAGE_CODE = invitation.language
    if responses.submitted_response(invitation):
        return _answered(request, invitation, again=request.method == "POST")
    if responses.link_expired(invitation):
        return _expired(request, invitation)
    questions = list(responses.active_questions(invitation.campaign.questionnaire_id))
    if request.method == "GET":
        responses.mark_opened(invitation)
        form = AnswerForm(questions, saved=responses.saved_answers(invitation))
        return _form_page(request, invitation, form)
    submitting = "submit" in request.POST
    form = AnswerForm(questions, request.POST, submitting=submitting)
    if not form.is_valid():
        return _form_page(request, invitation, form, status=422)
    try:
        saved = responses.save_response(
            invitation,
            answers=form.given_answers() | _removed(form),
            submit=submitting,
            ip=audit.request_ip.get() or request.META.get("REMOTE_ADDR"),
        )
    except responses.LinkExpired:
        return _expired(request, invitation)
    except responses.AlreadyAnswered:
        latest = Invitation.objects.select_related("response").get(pk=invitation.pk)
        return _answered(request, latest, again=True)
    except ValidationError as error:
        add_service_errors(form, error)
        return _form_page(request, invitation, form, status=422)
    _removed_message(request, saved.removed)
    if not submitting:
        messages.success(
            request,
            _("Your answers were saved. Open the same link again to continue."),
        )
    return redirect(request.path)


def _removed(form: AnswerForm) -> dict[int, responses.GivenAnswer]:
    """Answers to questions gone from the questionnaire: passed on so the service reports them."""
    return {pk: responses.GivenAnswer(None) for pk in form.removed_ids()}


def _form_page(
    request: HttpRequest, invitation: Invitation, form: AnswerForm, status: int = 200
) -> HttpResponse:
    campaign = invitation.campaign
    context = {
        "invitation": invitation,
        "campaign": campaign,
        "questionnaire": campaign.questionnaire,
        "form": form,
        "readonly": False,
    }
    return _page(request, "respond.html", context, status=status)


@require_GET
@policy.requires("discovery.questionnaire", "view")
def questionnaire_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire as a respondent sees it, read-only."""
    questionnaire = get_object_or_404(Questionnaire.objects.for_user(request.user), pk=pk)
    form = AnswerForm(responses.active_questions(questionnaire.pk), disabled=True)
    context = {"questionnaire": questionnaire, "form": form, "readonly": True}
    return render(request, "discovery/respond/preview.html", context)


urls = [
    path("q/<str:token>/", respond, name="respond"),
    path("questionnaires/<int:pk>/preview/", questionnaire_preview, name="questionnaire_preview"),
]
