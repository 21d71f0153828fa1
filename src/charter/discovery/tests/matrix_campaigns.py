"""Campaign test data (a questionnaire with one question of each kind, campaigns made and sent
through the services) and the permission-matrix rows of campaigns and the answering page."""

from typing import Any

from charter.accounts.models import User
from charter.discovery.models import Campaign, Question, Questionnaire, QuestionSection
from charter.discovery.services import campaigns as service
from charter.discovery.services.responses import GivenAnswer, invitation_for_token, save_response
from charter.planning.tests.factories import planning_world
from charter.testing.factories import ContactFactory, OpportunityFactory
from charter.testing.matrix import LOGIN, Case, roles

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


# ---- matrix rows -------------------------------------------------------------------------------


def _manager() -> User:
    return User.objects.get(username="manager")


def _project(w: Any) -> Any:
    return planning_world(w).project


def _draft(w: Any) -> Campaign:
    return make_campaign(_project(w), actor=_manager())


def _open(w: Any) -> Campaign:
    return sent_campaign(_project(w), actor=_manager())[0]


def _token(w: Any) -> dict[str, str]:
    """A fresh, valid personal link for each request."""
    return {"token": sent_campaign(_project(w), actor=_manager())[1][0]}


def _new_campaign(w: Any) -> dict[str, Any]:
    contact = ContactFactory(client=w.client_org)
    return {
        "questionnaire_id": make_questionnaire().pk,
        "name": w.unique("问卷调查"),
        "contact_ids": [contact.pk],
    }


def _resend(w: Any) -> dict[str, int]:
    campaign = _open(w)
    return {"pk": campaign.pk, "invitation_pk": campaign.invitations.first().pk}


STAFF_200 = roles(LOGIN, 200, 200, 200, 403)
STAFF_302 = roles(LOGIN, 302, 302, 302, 403)

HTML: dict[str, Case] = {
    "discovery:project_campaigns": Case(STAFF_200, kwargs=lambda w: {"pk": _project(w).pk}),
    "discovery:opportunity_campaigns": Case(
        STAFF_200, kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk}
    ),
    "discovery:project_campaign_create": Case(STAFF_200, kwargs=lambda w: {"pk": _project(w).pk}),
    "discovery:opportunity_campaign_create": Case(
        STAFF_200, kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk}
    ),
    "discovery:campaign_detail": Case(STAFF_200, kwargs=lambda w: {"pk": _draft(w).pk}),
    "discovery:campaign_edit": Case(STAFF_200, kwargs=lambda w: {"pk": _draft(w).pk}),
    # Sending answers with the page of links, not a redirect.
    "discovery:campaign_send": Case(
        STAFF_200, kwargs=lambda w: {"pk": _draft(w).pk}, method="post"
    ),
    "discovery:campaign_remind": Case(
        STAFF_302, kwargs=lambda w: {"pk": _open(w).pk}, method="post"
    ),
    "discovery:campaign_resend_link": Case(STAFF_200, kwargs=_resend, method="post"),
    "discovery:campaign_links": Case(STAFF_200, kwargs=lambda w: {"pk": _open(w).pk}),
    "discovery:campaign_close": Case(
        STAFF_302, kwargs=lambda w: {"pk": _open(w).pk}, method="post"
    ),
    "discovery:campaign_results": Case(STAFF_200, kwargs=lambda w: {"pk": _open(w).pk}),
    # A personal link needs no account: whoever holds it may answer.
    "discovery:respond": Case(roles(200, 200, 200, 200, 200), kwargs=_token),
    "discovery:questionnaire_preview": Case(
        STAFF_200, kwargs=lambda w: {"pk": make_questionnaire().pk}
    ),
}

API_STAFF_200 = roles(401, 200, 200, 200, 403)

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/campaigns": Case(
        API_STAFF_200, kwargs=lambda w: {"project_id": _project(w).pk}
    ),
    "POST /api/v1/projects/<project_id>/campaigns": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=lambda w: {"project_id": _project(w).pk},
        data=_new_campaign,
    ),
    "GET /api/v1/opportunities/<opportunity_id>/campaigns": Case(
        API_STAFF_200,
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
    ),
    "POST /api/v1/opportunities/<opportunity_id>/campaigns": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
        data=_new_campaign,
    ),
    "GET /api/v1/campaigns/<campaign_id>": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _draft(w).pk}
    ),
    # Writes without If-Match: 428 once the role may write.
    "PATCH /api/v1/campaigns/<campaign_id>": Case(
        roles(401, 428, 428, 428, 403), kwargs=lambda w: {"campaign_id": _draft(w).pk}
    ),
    "POST /api/v1/campaigns/<campaign_id>/send": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _draft(w).pk}
    ),
    "POST /api/v1/campaigns/<campaign_id>/remind": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _open(w).pk}
    ),
    "POST /api/v1/campaigns/<campaign_id>/close": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _open(w).pk}
    ),
    "GET /api/v1/campaigns/<campaign_id>/results": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _open(w).pk}
    ),
}
