"""Discovery test data, made through the services as users make it: requirements,
questionnaires and sent campaigns, interviews, focus groups and findings, documents and their
confirmation requests."""

import datetime
from typing import Any

from django.utils import timezone

from charter.discovery.models import (
    Answer,
    Campaign,
    ConfirmationRequest,
    DocumentVersion,
    Finding,
    FocusGroup,
    Idea,
    Interview,
    Invitation,
    Question,
    Questionnaire,
    QuestionSection,
    Requirement,
    RequirementsDocument,
    Response,
)
from charter.discovery.models.base import parent_field
from charter.discovery.services import campaigns as service
from charter.discovery.services import create_requirement
from charter.discovery.services import documents as services
from charter.discovery.services.findings import record_finding
from charter.discovery.services.responses import GivenAnswer, invitation_for_token, save_response
from charter.discovery.services.sessions import add_idea, create_focus_group, create_interview
from charter.planning.forms import colleagues
from charter.testing.factories import ContactFactory


def make_requirement(parent: Any, *, actor: Any = None, **fields: Any) -> Requirement:
    fields = {"title": "统一客户主数据", **fields}
    return create_requirement(parent, actor=actor, **fields)


BASE_URL = "http://testserver/"
KANO_FEATURE = "移动审批"


def make_questionnaire(**fields: Any) -> Questionnaire:
    """A questionnaire with one question of every kind (``questionnaire.q`` maps kind → it)."""
    questionnaire = Questionnaire.objects.create(**{"title": "需求调研问卷", **fields})
    section = QuestionSection.objects.create(
        questionnaire=questionnaire, position=1, title="基本情况"
    )
    specs = [
        ("short_text", {"text": "您的部门", "required": True}),
        ("long_text", {"text": "目前最大的痛点是什么？"}),
        ("single", {"text": "现用系统", "options": ["ERP", "CRM", "OA"], "allow_other": True}),
        ("multiple", {"text": "常用终端", "options": ["电脑", "手机", "平板"]}),
        ("rating", {"text": "对现有系统的满意度", "scale_min": 1, "scale_max": 5}),
        ("nps", {"text": "您向同事推荐的可能性"}),
        ("ranking", {"text": "请排序", "options": ["价格", "质量", "交付"]}),
        ("date", {"text": "期望上线日期"}),
        (
            "kano",
            {
                "text": "如果能在手机上审批，您觉得如何？",
                "dysfunctional_text": "如果不能在手机上审批，您觉得如何？",
                "kano_feature": KANO_FEATURE,
            },
        ),
    ]
    questionnaire.q = {  # type: ignore[attr-defined]
        kind: Question.objects.create(
            questionnaire=questionnaire, section=section, position=i, kind=kind, **spec
        )
        for i, (kind, spec) in enumerate(specs)
    }
    return questionnaire


def make_campaign(
    parent: Any, *, actor: Any, contacts: list[Any] | None = None, **fields: Any
) -> Campaign:
    """A draft campaign of ``parent`` to ``contacts``; by default two new contacts of its
    client: "Zoe Walker" (English, no e-mail) and "陈静" (Chinese), in that (name) order."""
    if contacts is None:
        contacts = [
            ContactFactory(client=parent.client, name="陈静", language="zh-hans"),
            ContactFactory(client=parent.client, name="Zoe Walker", language="en", email=""),
        ]
    questionnaire = fields.pop("questionnaire", None) or make_questionnaire()
    fields = {"name": "2026 需求调研", **fields}
    return service.create_campaign(
        parent, actor=actor, questionnaire=questionnaire, contacts=contacts, **fields
    )


def token_of(link: service.IssuedLink) -> str:
    return link.url.rstrip("/").rsplit("/", 1)[-1]


def sent_campaign(parent: Any, *, actor: Any, **fields: Any) -> tuple[Campaign, list[str]]:
    """A sent campaign and the raw tokens of its links, in contact-name order."""
    campaign = make_campaign(parent, actor=actor, **fields)
    links = service.send_campaign(campaign, actor=actor, base_url=BASE_URL)
    campaign.refresh_from_db()
    return campaign, [token_of(link) for link in links]


def answer_all(campaign: Campaign, tokens: list[str]) -> None:
    """Each token's contact submits a full set of answers (Kano: like / dislike → O)."""
    questions = {question.kind: question for question in campaign.questionnaire.questions.all()}
    answers = {
        questions["short_text"].pk: GivenAnswer("财务部"),
        questions["long_text"].pk: GivenAnswer("月底结账要加班"),
        questions["single"].pk: GivenAnswer("ERP"),
        questions["multiple"].pk: GivenAnswer(["电脑", "手机"]),
        questions["rating"].pk: GivenAnswer(4),
        questions["nps"].pk: GivenAnswer(10),
        questions["ranking"].pk: GivenAnswer(["质量", "价格", "交付"]),
        questions["date"].pk: GivenAnswer("2027-03-01"),
        questions["kano"].pk: GivenAnswer({"functional": "like", "dysfunctional": "dislike"}),
    }
    for token in tokens:
        save_response(invitation_for_token(token), answers=answers, submit=True)


HELD_AT = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)


def make_interview(parent: Any, *, actor: Any = None, **fields: Any) -> Interview:
    fields = {
        "title": "财务总监访谈",
        "held_at": HELD_AT,
        "guide": "月结要几天？\n最痛的环节？",
        **fields,
    }
    fields.setdefault("interviewers", [colleagues().first()])
    fields.setdefault("interviewees", [ContactFactory(client=parent.client)])
    return create_interview(parent, actor=actor, **fields)


def make_focus_group(
    parent: Any, *, actor: Any = None, participant_count: int = 2, **fields: Any
) -> FocusGroup:
    fields = {"title": "移动审批的期望", "held_at": HELD_AT, "dots_per_participant": 3, **fields}
    fields.setdefault("facilitators", [colleagues().first()])
    if "participants" not in fields:
        fields["participants"] = [
            ContactFactory(client=parent.client) for _ in range(participant_count)
        ]
    return create_focus_group(parent, actor=actor, **fields)


def make_idea(group: FocusGroup, text: str = "手机上一键审批") -> Idea:
    return add_idea(group, actor=None, text=text)


def make_finding(parent: Any, *, source: Any = None, text: str = "月结靠手工对账") -> Finding:
    return record_finding(parent, source=source or make_interview(parent), text=text, actor=None)


def make_answer(parent: Any, *, value: Any = "审批太慢") -> Answer:
    """A submitted answer of a campaign ``parent`` sent, made directly with the ORM."""
    questionnaire = Questionnaire.objects.create(title="需求调研问卷", language="zh-hans")
    question = Question.objects.create(
        questionnaire=questionnaire, kind="long_text", text="您最希望改进什么？"
    )
    expires = timezone.now() + datetime.timedelta(days=14)
    campaign = Campaign.objects.create(
        **{parent_field(parent): parent},
        questionnaire=questionnaire,
        name="第一轮调研",
        expires_at=expires,
    )
    invitation = Invitation(
        campaign=campaign,
        contact=ContactFactory(client=parent.client),
        language="zh-hans",
        expires_at=expires,
    )
    invitation.new_link()
    invitation.save()
    response = Response.objects.create(invitation=invitation, submitted_at=timezone.now())
    return Answer.objects.create(response=response, question=question, value=value)


def make_document(parent: Any, *, actor: Any = None, **texts: Any) -> RequirementsDocument:
    """A document with some narrative, saved through the services."""
    document = services.create_document(parent, actor=actor, language="zh-hans")
    texts = {"background": "客户希望统一主数据。", **texts}
    return services.update_document(document, actor=actor, expected_version=1, **texts)


def published_version(parent: Any, *, actor: Any = None) -> DocumentVersion:
    """Version 1 of the parent's document (started if needed), one requirement in it."""
    existing = RequirementsDocument.objects.filter(**{parent_field(parent): parent})
    document = existing.first() or make_document(parent, actor=actor)
    last = document.versions.order_by("-number").first()
    if last is not None:
        return last
    make_requirement(parent, title="需求文档中的需求")
    return services.publish_document(document, actor=actor)


def sent_request(
    version: DocumentVersion, *, contact: Any = None, **fields: Any
) -> tuple[ConfirmationRequest, str]:
    """A confirmation request of ``version`` for a (new) contact of the client; raw token."""
    contact = contact or ContactFactory(client=version.document.parent.client, **fields)
    invite = services.send_version(version, actor=None, contacts=[contact], base_url=BASE_URL)[0]
    return invite.request, invite.token
