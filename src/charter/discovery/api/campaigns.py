"""Questionnaire campaigns through the API: list and create per project or deal, read and edit
one (If-Match), send (the links, once), remind, close, results. Answering stays HTML only."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, read_with_etag, set_etag
from charter.discovery.api.parents import parent_operation
from charter.discovery.choices import CampaignStatus, KanoCategory, QuestionKind
from charter.discovery.models import Campaign, Questionnaire
from charter.discovery.services import campaigns as service
from charter.discovery.services import responses
from charter.discovery.views.campaigns import with_rates
from charter.discovery.views.parents import visible_parent

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    project_id: int | None
    opportunity_id: int | None = Field(description="Set while the campaign belongs to a deal.")
    questionnaire_id: int
    name: str
    message: str = Field(description="Sent with each personal link.")
    status: CampaignStatus
    expires_at: datetime.datetime = Field(description="The links stop working after this.")
    sent_at: datetime.datetime | None
    version: int = Field(description="Raised by every saved change; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CampaignListOut(CampaignOut):
    invited: int = Field(description="Contacts invited.")
    submitted: int = Field(description="Contacts who submitted their answers.")


class CampaignIn(Schema):
    questionnaire_id: int = Field(description="A questionnaire of the library (not a template).")
    name: str = Field(min_length=1, max_length=200)
    contact_ids: list[int] = Field(
        min_length=1, description="Contacts of the project's or deal's client."
    )
    expires_at: datetime.datetime | None = Field(None, description="Default: in 14 days.")
    message: str = ""


class CampaignPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    message: str | None = None
    expires_at: datetime.datetime | None = Field(
        None, description="Moves the expiry of every unanswered link too."
    )


class LinkOut(Schema):
    invitation_id: int
    contact_id: int
    contact_name: str
    emailed: bool = Field(description="Whether the link was e-mailed (the contact has an address).")
    link: str = Field(description="The personal link. Shown only in this answer; never again.")


class RemindOut(Schema):
    reminded: int = Field(description="How many contacts got a reminder with a fresh link.")


class TextOut(Schema):
    answer_id: int
    respondent: str
    text: str


class KanoOut(Schema):
    question_id: int
    feature: str
    counts: dict[str, int] = Field(description="Answers per Kano category.")
    answers: int
    result: KanoCategory | None = Field(description="Most answers; ties M > O > A > I.")
    better: float | None = Field(description="(A+O)/(A+O+M+I), 0 to 1.")
    worse: float | None = Field(description="−(O+M)/(A+O+M+I), −1 to 0.")


class QuestionResultOut(Schema):
    question_id: int
    text: str
    kind: QuestionKind
    archived: bool
    answered: int
    labels: list[str] = Field(description="Options or scale values (the chart's bars).")
    values: list[float] = Field(description="Answers per label; for a ranking the average rank.")
    average: float | None
    nps: int | None = Field(description="NPS questions: % promoters − % detractors.")
    texts: list[TextOut] = Field(description="Free text, dates and written-in “other” answers.")


class ResultsOut(Schema):
    invited: int
    submitted: int
    rate: int = Field(description="Percent of invitees who submitted.")
    questions: list[QuestionResultOut]
    kano: list[KanoOut]


def _links(links: list[service.IssuedLink]) -> list[dict[str, Any]]:
    return [
        {
            "invitation_id": link.invitation.pk,
            "contact_id": link.invitation.contact_id,
            "contact_name": link.invitation.contact.name,
            "emailed": link.emailed,
            "link": link.url,
        }
        for link in links
    ]


def _campaign(request: HttpRequest, campaign_id: int, action: str) -> Campaign:
    return get_object_or_404(Campaign.objects.for_user(request.user, action), pk=campaign_id)


@parent_operation(
    router,
    "GET",
    "/campaigns",
    response=list[CampaignListOut],
    summary="A {parent}'s questionnaire campaigns",
    rule=("discovery.campaign", "view"),
    paginated=True,
)
def campaigns(request: HttpRequest, kind: str, pk: int) -> Any:
    parent = visible_parent(request.user, kind, pk)
    return with_rates(Campaign.objects.for_user(request.user).filter(**{kind: parent}))


@parent_operation(
    router,
    "POST",
    "/campaigns",
    response={201: CampaignOut},
    summary="Create a draft campaign for contacts of the {parent}'s client",
    rule=("discovery.campaign", "add"),
)
def create_campaign(request: HttpRequest, kind: str, pk: int, payload: CampaignIn) -> Any:
    parent = visible_parent(request.user, kind, pk)
    values = payload.dict()
    questionnaire = (
        Questionnaire.objects.for_user(request.user)
        .filter(pk=values.pop("questionnaire_id"))
        .first()
    )
    if questionnaire is None:
        raise ValidationError({"questionnaire_id": _("Choose a questionnaire of the library.")})
    contact_ids = set(values.pop("contact_ids"))
    contacts = list(service.invitable_contacts(parent).filter(pk__in=contact_ids))
    if len(contacts) != len(contact_ids):
        raise ValidationError({"contact_ids": _("Choose contacts of this client only.")})
    campaign = service.create_campaign(
        parent, actor=request.user, questionnaire=questionnaire, contacts=contacts, **values
    )
    return Status(201, campaign)


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="A campaign")
@policy.api_requires("discovery.campaign", "view")
def get_campaign(request: HttpRequest, response: HttpResponse, campaign_id: int) -> Any:
    return read_with_etag(response, Campaign.objects.for_user(request.user), pk=campaign_id)


@router.patch(
    "/campaigns/{campaign_id}",
    response=CampaignOut,
    summary="Edit a campaign's name, message or expiry (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("discovery.campaign", "change")
def update_campaign(
    request: HttpRequest, response: HttpResponse, campaign_id: int, payload: CampaignPatch
) -> Any:
    campaign = _campaign(request, campaign_id, "change")
    changes = payload.dict(exclude_unset=True)
    empty = [key for key, value in changes.items() if value is None]
    if empty:
        raise ValidationError(dict.fromkeys(empty, _("This field cannot be empty.")))
    service.update_campaign(
        campaign, actor=request.user, expected_version=expected_version(request), **changes
    )
    set_etag(response, campaign)
    return campaign


@router.post(
    "/campaigns/{campaign_id}/send",
    response=list[LinkOut],
    summary="Send a draft campaign; answers with every personal link, this once",
)
@policy.api_requires("discovery.campaign", "change")
def send_campaign(request: HttpRequest, campaign_id: int) -> Any:
    campaign = _campaign(request, campaign_id, "change")
    base_url = request.build_absolute_uri("/")
    return _links(service.send_campaign(campaign, actor=request.user, base_url=base_url))


@router.post(
    "/campaigns/{campaign_id}/remind",
    response=RemindOut,
    summary="Remind invitees with e-mail who have not submitted and whose link is valid",
)
@policy.api_requires("discovery.campaign", "change")
def remind_campaign(request: HttpRequest, campaign_id: int) -> Any:
    campaign = _campaign(request, campaign_id, "change")
    base_url = request.build_absolute_uri("/")
    return {"reminded": service.remind_campaign(campaign, actor=request.user, base_url=base_url)}


@router.post(
    "/campaigns/{campaign_id}/close",
    response=CampaignOut,
    summary="Close a campaign: its links stop taking answers",
)
@policy.api_requires("discovery.campaign", "change")
def close_campaign(request: HttpRequest, campaign_id: int) -> Any:
    campaign = _campaign(request, campaign_id, "change")
    return service.close_campaign(campaign, actor=request.user)


@router.get(
    "/campaigns/{campaign_id}/results",
    response=ResultsOut,
    summary="Response rate, per-question aggregates and the Kano table",
)
@policy.api_requires("discovery.campaign", "view")
def campaign_results(request: HttpRequest, campaign_id: int) -> Any:
    results = responses.campaign_results(_campaign(request, campaign_id, "view"))
    return {
        "invited": results.invited,
        "submitted": results.submitted,
        "rate": results.rate,
        "questions": [_question(row) for row in results.questions],
        "kano": [_kano(row) for row in results.kano_rows],
    }


def _question(row: responses.QuestionResult) -> dict[str, Any]:
    question = row.question
    return {
        "question_id": question.pk,
        "text": question.text,
        "kind": question.kind,
        "archived": question.archived,
        "answered": row.answered,
        "labels": row.labels,
        "values": row.values,
        "average": row.average,
        "nps": row.nps,
        "texts": [vars(text) for text in row.texts],
    }


def _kano(row: responses.QuestionResult) -> dict[str, Any]:
    tally = row.kano
    assert tally is not None
    return {
        "question_id": row.question.pk,
        "feature": row.question.kano_feature,
        "counts": {str(category): count for category, count in tally.counts.items()},
        "answers": tally.answers,
        "result": tally.result,
        "better": tally.better,
        "worse": tally.worse,
    }
