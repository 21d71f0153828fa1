"""The questionnaire library and builder through the pages and the API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from charter.core.models import AuditEvent
from charter.discovery.models import (
    Answer,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    Response,
)
from charter.discovery.services import questionnaires as services
from charter.testing.factories import ClientFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def campaign_on(questionnaire, client_org):
    return Campaign.objects.create(
        questionnaire=questionnaire,
        opportunity=OpportunityFactory(client=client_org),
        name="调研",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


def answer(question, value):
    """An answer to ``question`` from a new contact of a new campaign."""
    campaign = campaign_on(question.questionnaire, ClientFactory())
    invitation = Invitation(
        campaign=campaign,
        contact=ContactFactory(client=campaign.opportunity.client),
        language="zh-hans",
        expires_at=campaign.expires_at,
    )
    invitation.new_link()
    invitation.save()
    response = Response.objects.create(invitation=invitation)
    return Answer.objects.create(response=response, question=question, value=value)


def every_kind(questionnaire, actor):
    section = services.add_section(questionnaire, actor=actor, title="当前流程")
    add = lambda **fields: services.add_question(  # noqa: E731
        questionnaire, actor=actor, section=section, **fields
    )
    add(kind="short_text", text="您的职位")
    add(kind="long_text", text="描述当前审批流程")
    add(kind="single", text="使用频率", options=["每天", "每周"], allow_other=True)
    add(kind="multiple", text="使用的系统", options=["ERP", "OA", "CRM"])
    add(kind="rating", text="满意度", scale_min=1, scale_max=7)
    add(kind="nps", text="推荐意愿")
    add(kind="ranking", text="优先级排序", options=["速度", "成本", "质量"])
    add(kind="date", text="期望上线日期")
    add(kind="kano", kano_feature="自动生成报表")


@pytest.fixture
def questionnaire(users):
    return services.create_questionnaire(
        actor=users["member"], title="需求调研问卷", language="zh-hans"
    )


# ---- pages -------------------------------------------------------------------------------------


def test_the_builder_shows_every_kind(signed_in, users, questionnaire):
    every_kind(questionnaire, users["member"])
    page = signed_in("member").get(questionnaire.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="question"') == 9
    for shown in (
        "当前流程",
        "每天",
        "Other (written in)",
        "Scale 1 to 7",
        "Scale 0 to 10",
        "速度",
    ):
        assert shown in html
    assert "自动生成报表" in html and "Kano pair" in html
    assert reverse("discovery:question_move", args=[questionnaire.questions.first().pk]) in html


def test_the_builder_page_costs_the_same_with_more_questions(signed_in, users, questionnaire):
    http = signed_in("member")
    every_kind(questionnaire, users["member"])
    with CaptureQueriesContext(connection) as few:
        http.get(questionnaire.get_absolute_url())
    every_kind(questionnaire, users["member"])
    with CaptureQueriesContext(connection) as many:
        http.get(questionnaire.get_absolute_url())
    assert len(many) == len(few)


def test_the_library_lists_with_constant_queries(signed_in, users, client_org):
    http = signed_in("member")
    url = reverse("discovery:questionnaire_list")

    def make(count):
        for number in range(count):
            made = services.create_questionnaire(
                actor=users["member"], title=f"问卷 {number}", language="zh-hans"
            )
            services.add_question(made, actor=users["member"], kind="date", text="?")
            campaign_on(made, client_org)

    make(2)
    with CaptureQueriesContext(connection) as two:
        assert http.get(url).status_code == 200
    make(18)
    with CaptureQueriesContext(connection) as twenty:
        page = http.get(url)
    assert len(twenty) == len(two)
    assert page.content.decode().count('data-testid="questionnaire-table"') == 1


def test_the_library_tabs_search_and_language_filter(signed_in, users, questionnaire):
    services.create_questionnaire(
        actor=users["manager"], title="Requirements template", language="en", is_template=True
    )
    http = signed_in("member")
    url = reverse("discovery:questionnaire_list")
    mine = http.get(url).content.decode()
    assert "需求调研问卷" in mine and "Requirements template" not in mine
    templates = http.get(url, {"tab": "templates"}).content.decode()
    assert "Requirements template" in templates and "需求调研问卷" not in templates
    assert "Use template" in templates
    assert "需求调研问卷" not in http.get(url, {"q": "nothing"}).content.decode()
    assert "Nothing matches your search." in http.get(url, {"language": "en"}).content.decode()


def test_an_empty_library_says_what_to_do(signed_in):
    html = signed_in("member").get(reverse("discovery:questionnaire_list")).content.decode()
    assert "No questionnaires yet." in html


def test_a_member_starts_from_a_template(signed_in, users):
    template = services.create_questionnaire(
        actor=users["manager"], title="模板", language="zh-hans", is_template=True
    )
    every_kind(template, users["manager"])
    http = signed_in("member")
    url = reverse("discovery:questionnaire_create")
    form = http.get(url, {"template": template.pk}).content.decode()
    assert f'value="{template.pk}" selected' in form
    assert 'name="is_template"' not in form  # members do not make templates
    response = http.post(url, {"template": template.pk, "title": "云栖调研", "language": "zh-hans"})
    made = Questionnaire.objects.get(title="云栖调研")
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    assert made.questions.count() == 9 and made.sections.count() == 1
    assert made.created_by == users["member"]


def test_the_client_user_is_refused(signed_in, questionnaire):
    http = signed_in("client")
    assert http.get(reverse("discovery:questionnaire_list")).status_code == 403
    assert http.get(questionnaire.get_absolute_url()).status_code == 403


def test_a_stale_header_edit_is_refused_with_409(signed_in, questionnaire):
    url = reverse("discovery:questionnaire_edit", args=[questionnaire.pk])
    http = signed_in("member")
    fields = {"title": "第一版", "language": "zh-hans", "version": 1}
    assert http.post(url, fields).status_code == 302
    stale = http.post(url, {**fields, "title": "第二版"})
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.content.decode()
    questionnaire.refresh_from_db()
    assert (questionnaire.title, questionnaire.version) == ("第一版", 2)


def test_a_member_may_not_edit_a_template(signed_in, users):
    template = services.create_questionnaire(
        actor=users["manager"], title="模板", language="zh-hans", is_template=True
    )
    http = signed_in("member")
    assert http.get(reverse("discovery:questionnaire_edit", args=[template.pk])).status_code == 403
    url = reverse("discovery:question_create", args=[template.pk])
    assert http.post(url, {"kind": "date", "text": "?"}).status_code == 403
    page = http.get(template.get_absolute_url()).content.decode()
    assert "Only managers edit templates." in page and 'data-testid="use-template"' in page


def test_adding_questions_through_the_form(signed_in, questionnaire):
    http = signed_in("member")
    url = reverse("discovery:question_create", args=[questionnaire.pk])
    form = http.get(url, {"kind": "kano"}).content.decode()
    assert "data-kano-functional" in form
    bad = http.post(url, {"kind": "single", "text": "设备", "options": "手机\n\n手机\n"})
    assert bad.status_code == 422
    assert "is listed twice" in bad.content.decode()
    assert not questionnaire.questions.exists()
    good = http.post(
        url, {"kind": "single", "text": "设备", "options": "手机\n电脑", "required": "on"}
    )
    assert good.status_code == 302
    question = questionnaire.questions.get()
    assert (question.options, question.required) == (["手机", "电脑"], True)
    rating = http.post(
        url, {"kind": "rating", "text": "满意度", "scale_min": "1", "scale_max": "20"}
    )
    assert rating.status_code == 422 and "at most 11 points" in rating.content.decode()
    kano = http.post(url, {"kind": "kano", "kano_feature": "与企业微信集成"})
    assert kano.status_code == 302
    assert questionnaire.questions.get(kind="kano").dysfunctional_text


def test_editing_a_question_keeps_its_options_one_per_line(signed_in, users, questionnaire):
    question = services.add_question(
        questionnaire, actor=users["member"], kind="ranking", text="排序", options=["甲", "乙"]
    )
    http = signed_in("member")
    url = reverse("discovery:question_edit", args=[question.pk])
    assert "甲\n乙" in http.get(url).content.decode()
    fields = {"kind": "ranking", "text": "排序", "options": "乙\n甲\n丙"}
    assert http.post(url, fields).status_code == 302
    question.refresh_from_db()
    assert question.options == ["乙", "甲", "丙"]


def test_moving_works_with_and_without_htmx(signed_in, users, questionnaire):
    _first, second = (
        services.add_question(questionnaire, actor=users["member"], kind="date", text=text)
        for text in ("一", "二")
    )
    http = signed_in("member")
    url = reverse("discovery:question_move", args=[second.pk])
    plain = http.post(url, {"direction": "up"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#question-{second.pk}")
    assert [q.text for q in questionnaire.questions.order_by("position")] == ["二", "一"]
    fragment = http.post(url, {"direction": "down"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="builder"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert [q.text for q in questionnaire.questions.order_by("position")] == ["一", "二"]


def test_deleting_an_answered_question_archives_it(signed_in, users, questionnaire):
    question = services.add_question(questionnaire, actor=users["member"], kind="date", text="日期")
    answer(question, "2026-09-01")
    http = signed_in("member")
    url = reverse("discovery:question_delete", args=[question.pk])
    assert "it will be archived" in http.get(url).content.decode()
    response = http.post(url, follow=True)
    assert "so it was archived" in response.content.decode()
    assert Question.objects.get(pk=question.pk).archived


def test_deleting_a_questionnaire_in_use_is_refused(signed_in, client_org, questionnaire):
    campaign_on(questionnaire, client_org)
    http = signed_in("manager")
    url = reverse("discovery:questionnaire_delete", args=[questionnaire.pk])
    assert "Campaigns use this questionnaire" in http.get(url).content.decode()
    refused = http.post(url, follow=True)
    assert "cannot be deleted" in refused.content.decode()
    assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()
    assert signed_in("member").post(url).status_code == 403


def test_sections_are_added_edited_and_deleted(signed_in, questionnaire):
    http = signed_in("member")
    create = reverse("discovery:questionnaire_section_create", args=[questionnaire.pk])
    assert http.post(create, {"title": ""}).status_code == 422
    assert http.post(create, {"title": "关于您"}).status_code == 302
    section = questionnaire.sections.get()
    edit = reverse("discovery:questionnaire_section_edit", args=[section.pk])
    assert http.post(edit, {"title": "关于您的团队"}).status_code == 302
    delete = reverse("discovery:questionnaire_section_delete", args=[section.pk])
    assert http.post(delete).status_code == 302
    assert not questionnaire.sections.exists()
    changed = AuditEvent.objects.filter(action="section_changed").get()
    assert changed.changes == {"section": ["关于您", "关于您的团队"]}


def test_copy_as_template_needs_a_manager(signed_in, users, questionnaire):
    url = reverse("discovery:questionnaire_copy", args=[questionnaire.pk])
    assert signed_in("member").post(url, {"as_template": "on"}).status_code == 403
    response = signed_in("manager").post(url, {"as_template": "on"})
    copy = Questionnaire.objects.get(is_template=True)
    assert response["Location"] == copy.get_absolute_url()


# ---- API ---------------------------------------------------------------------------------------


def test_api_create_read_and_patch(signed_in, users):
    http = signed_in("member")
    created = http.post(
        "/api/v1/questionnaires", {"title": "调研", "language": "zh-hans"}, content_type=JSON
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    section = http.post(
        f"/api/v1/questionnaires/{pk}/sections", {"title": "需求"}, content_type=JSON
    ).json()
    question = http.post(
        f"/api/v1/questionnaires/{pk}/questions",
        {"kind": "kano", "kano_feature": "移动端审批", "section_id": section["id"]},
        content_type=JSON,
    )
    assert question.status_code == 201
    assert question.json()["dysfunctional_text"]
    read = http.get(f"/api/v1/questionnaires/{pk}")
    body = read.json()
    assert read["ETag"] == '"1"'
    assert [s["title"] for s in body["sections"]] == ["需求"]
    assert body["questions"][0]["section_id"] == section["id"] and body["question_count"] == 1
    patched = http.patch(
        f"/api/v1/questionnaires/{pk}",
        {"title": "客户调研"},
        content_type=JSON,
        headers={"If-Match": read["ETag"]},
    )
    assert patched.status_code == 200
    assert (patched.json()["title"], patched["ETag"]) == ("客户调研", '"2"')
    stale = http.patch(
        f"/api/v1/questionnaires/{pk}",
        {"title": "旧"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 412 and stale["Content-Type"] == "application/problem+json"
    listed = http.get("/api/v1/questionnaires", {"template": "false", "q": "客户"}).json()
    assert [row["id"] for row in listed["items"]] == [pk]


def test_api_bad_options_are_a_problem_with_field_paths(signed_in, questionnaire):
    http = signed_in("member")
    url = f"/api/v1/questionnaires/{questionnaire.pk}/questions"
    bad = http.post(url, {"kind": "single", "text": "?", "options": ["A"]}, content_type=JSON)
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in bad.json()["errors"]] == ["options"]
    section = http.post(url, {"kind": "date", "text": "?", "section_id": 999999}, content_type=JSON)
    assert [error["field"] for error in section.json()["errors"]] == ["section_id"]
    assert not questionnaire.questions.exists()


def test_api_copy_delete_and_archive(signed_in, users, client_org, questionnaire):
    http = signed_in("manager")
    question = services.add_question(questionnaire, actor=users["member"], kind="date", text="?")
    copy = http.post(
        f"/api/v1/questionnaires/{questionnaire.pk}/copy", {"as_template": True}, content_type=JSON
    )
    assert copy.status_code == 201 and copy.json()["is_template"]
    assert len(copy.json()["questions"]) == 1
    answer(question, "2026-01-01")
    archived = http.delete(f"/api/v1/questions/{question.pk}")
    assert archived.status_code == 200 and archived.json()["archived"]
    campaign_on(questionnaire, client_org)
    refused = http.delete(f"/api/v1/questionnaires/{questionnaire.pk}")
    assert refused.status_code == 422
    assert http.delete(f"/api/v1/questionnaires/{copy.json()['id']}").status_code == 204


def test_api_members_may_not_touch_templates(signed_in, users):
    template = services.create_questionnaire(
        actor=users["manager"], title="模板", language="en", is_template=True
    )
    http = signed_in("member")
    made = http.post(
        "/api/v1/questionnaires", {"title": "T", "is_template": True}, content_type=JSON
    )
    assert made.status_code == 403
    add = http.post(
        f"/api/v1/questionnaires/{template.pk}/questions",
        {"kind": "date", "text": "?"},
        content_type=JSON,
    )
    assert add.status_code == 403
    used = http.post(
        "/api/v1/questionnaires", {"title": "Mine", "template_id": template.pk}, content_type=JSON
    )
    assert used.status_code == 201
