"""Demo questionnaire campaign: the requirements-discovery template copied, sent to a
project's client contacts, and answered by some of them, so results and the Kano table show."""

import itertools
from typing import Any

from charter.discovery.choices import QuestionKind
from charter.discovery.models import Campaign, Question, Questionnaire
from charter.discovery.services.campaigns import create_campaign, send_campaign
from charter.discovery.services.questionnaires import copy_questionnaire
from charter.discovery.services.responses import (
    OTHER,
    GivenAnswer,
    invitation_for_token,
    save_response,
)
from charter.planning.models import Project

TEMPLATE_TITLE = "需求调研问卷"
BASE_URL = "http://localhost:8000/"
RESPONDENTS = 3
# The Kano pairs the demo respondents give, one list per respondent (cycled over features).
KANO_PAIRS = [
    [("like", "dislike"), ("expect", "dislike"), ("like", "neutral")],
    [("like", "dislike"), ("expect", "dislike"), ("neutral", "neutral")],
    [("expect", "dislike"), ("like", "tolerate"), ("like", "neutral")],
]
TEXTS = [
    "月底结账时各部门数据对不上，需要人工核对两三天。",
    "希望在手机上就能审批报销和采购申请。",
    "报表太多，领导只想看几个关键指标。",
]


def seed_campaign(project: Project, *, actor: Any) -> Campaign | None:
    """Send a copy of the "需求调研问卷" template to the project's client contacts and submit
    answers for up to three of them. Returns None when the template or contacts are missing."""
    template = Questionnaire.objects.filter(title=TEMPLATE_TITLE, is_template=True).first()
    contacts = list(project.client.contacts.order_by("pk"))
    if template is None or not contacts:
        return None
    questionnaire = copy_questionnaire(template, actor=actor, title=f"{TEMPLATE_TITLE} · {project}")
    campaign = create_campaign(
        project,
        actor=actor,
        questionnaire=questionnaire,
        name="上线前需求调研",
        contacts=contacts,
        message="感谢您抽出几分钟时间，您的意见将直接影响系统设计。",
    )
    links = send_campaign(campaign, actor=actor, base_url=BASE_URL)
    questions = list(questionnaire.questions.filter(archived=False).order_by("position", "pk"))
    for number, link in enumerate(links[:RESPONDENTS]):
        invitation = invitation_for_token(link.url.rstrip("/").rsplit("/", 1)[-1])
        if invitation is not None:
            save_response(invitation, answers=demo_answers(questions, number), submit=True)
    campaign.refresh_from_db()
    return campaign


def demo_answers(questions: list[Question], number: int) -> dict[int, GivenAnswer]:
    """A plausible, valid answer to each question for demo respondent ``number``."""
    kano_pairs = itertools.cycle(KANO_PAIRS[number % len(KANO_PAIRS)])
    answers = {}
    for question in questions:
        value = _answer(question, number, kano_pairs)
        if value is not None:
            answers[question.pk] = value
    return answers


def _answer(question: Question, number: int, kano_pairs: Any) -> GivenAnswer | None:
    options = [str(option) for option in question.options]
    kind = question.kind
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        return GivenAnswer(TEXTS[number % len(TEXTS)])
    if kind == QuestionKind.SINGLE and options:
        return GivenAnswer(options[number % len(options)])
    if kind == QuestionKind.SINGLE and question.allow_other:
        return GivenAnswer(OTHER, "其他系统")
    if kind == QuestionKind.MULTIPLE and options:
        return GivenAnswer(options[: 1 + number % len(options)])
    if kind == QuestionKind.RATING:
        return GivenAnswer(max(question.scale_min, question.scale_max - number))
    if kind == QuestionKind.NPS:
        return GivenAnswer((9, 7, 10)[number % 3])
    if kind == QuestionKind.RANKING and options:
        shift = number % len(options)
        return GivenAnswer(options[shift:] + options[:shift])
    if kind == QuestionKind.DATE:
        return GivenAnswer(f"2027-0{3 + number}-01")
    if kind == QuestionKind.KANO:
        functional, dysfunctional = next(kano_pairs)
        return GivenAnswer({"functional": functional, "dysfunctional": dysfunctional})
    return None
