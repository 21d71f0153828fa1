"""The questionnaire library and builder: services (DB tests) and pure validation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from charter.core.models import AuditEvent
from charter.discovery.choices import QuestionKind
from charter.discovery.models import Question, Questionnaire
from charter.discovery.services import questionnaires as services

CHOICES = ["移动端", "电脑端", "都用"]


def build(actor, *, is_template=False, title="需求调研问卷", language="zh-hans"):
    """A questionnaire with two sections, a question in each, a loose one and an archived one."""
    questionnaire = services.create_questionnaire(
        actor=actor, title=title, language=language, is_template=is_template
    )
    about = services.add_section(questionnaire, actor=actor, title="关于您")
    needs = services.add_section(questionnaire, actor=actor, title="需求")
    services.add_question(
        questionnaire, actor=actor, kind="short_text", text="您的部门", section=about
    )
    services.add_question(
        questionnaire,
        actor=actor,
        kind="single",
        text="您常用哪种设备?",
        options=CHOICES,
        section=needs,
    )
    services.add_question(questionnaire, actor=actor, kind="kano", kano_feature="移动端审批")
    gone = services.add_question(questionnaire, actor=actor, kind="nps", text="推荐意愿")
    Question.objects.filter(pk=gone.pk).update(archived=True)
    return questionnaire


def texts(questionnaire):
    return list(questionnaire.questions.order_by("position").values_list("text", flat=True))


@pytest.mark.django_db
class TestCopy:
    def test_starting_from_a_template_copies_sections_and_live_questions(self, users):
        template = build(users["manager"], is_template=True)
        copy = services.create_questionnaire(
            actor=users["member"], template=template, title="云栖调研", language="zh-hans"
        )
        assert not copy.is_template
        assert list(copy.sections.values_list("title", flat=True)) == ["关于您", "需求"]
        assert texts(copy) == texts(template)[:3]
        copied = copy.questions.get(kind="single")
        assert (copied.options, copied.section.questionnaire) == (CHOICES, copy)
        kano = copy.questions.get(kind="kano")
        assert kano.dysfunctional_text == template.questions.get(kind="kano").dysfunctional_text
        # A deep copy: changing the copy leaves the template alone.
        services.update_question(copied, actor=users["member"], options=["甲", "乙"])
        assert template.questions.get(kind="single").options == CHOICES
        event = AuditEvent.objects.filter(object_id=str(copy.pk), action="created").get()
        assert event.changes["copied_from"] == [None, "需求调研问卷"]

    def test_copy_is_titled_and_only_managers_copy_as_template(self, users):
        source = build(users["member"])
        copy = services.copy_questionnaire(source, actor=users["member"])
        assert copy.title == "需求调研问卷 (copy)"
        with pytest.raises(PermissionDenied):
            services.copy_questionnaire(source, actor=users["member"], as_template=True)
        template = services.copy_questionnaire(source, actor=users["manager"], as_template=True)
        assert template.is_template and template.questions.count() == 3


@pytest.mark.django_db
class TestTemplates:
    def test_members_cannot_make_or_change_templates(self, users):
        with pytest.raises(PermissionDenied):
            services.create_questionnaire(
                actor=users["member"], title="模板", language="en", is_template=True
            )
        template = build(users["manager"], is_template=True)
        section = template.sections.first()
        question = template.questions.first()
        attempts = [
            lambda: services.update_questionnaire(
                template, actor=users["member"], expected_version=1, title="改"
            ),
            lambda: services.add_section(template, actor=users["member"], title="新"),
            lambda: services.update_section(section, actor=users["member"], title="新"),
            lambda: services.add_question(
                template, actor=users["member"], kind="date", text="上线日期"
            ),
            lambda: services.update_question(question, actor=users["member"], text="新"),
            lambda: services.move_question(question, actor=users["member"], direction="down"),
            lambda: services.delete_question(question, actor=users["member"]),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionDenied):
                attempt()
        mine = build(users["member"])
        with pytest.raises(PermissionDenied):
            services.update_questionnaire(
                mine, actor=users["member"], expected_version=1, is_template=True
            )
        services.update_questionnaire(
            template, actor=users["manager"], expected_version=1, title="Renamed"
        )
        assert Questionnaire.objects.get(pk=template.pk).title == "Renamed"


@pytest.mark.django_db
class TestDelete:
    def test_an_answered_question_is_archived_an_unanswered_one_deleted(self, users):
        from charter.discovery.tests.test_questionnaire_builder_views import answer

        questionnaire = build(users["member"])
        answered, unanswered = questionnaire.questions.filter(archived=False)[:2]
        answer(answered, "研发部")
        assert services.delete_question(answered, actor=users["member"]) is True
        answered.refresh_from_db()
        assert answered.archived and answered.answers.count() == 1
        assert services.delete_question(unanswered, actor=users["member"]) is False
        assert not Question.objects.filter(pk=unanswered.pk).exists()
        actions = set(
            AuditEvent.objects.filter(object_id=str(questionnaire.pk)).values_list(
                "action", flat=True
            )
        )
        assert {"question_archived", "question_deleted"} <= actions

    def test_a_questionnaire_in_use_is_not_deleted(self, users, client_org):
        from charter.discovery.tests.test_questionnaire_builder_views import campaign_on

        questionnaire = build(users["member"])
        campaign_on(questionnaire, client_org)
        with pytest.raises(ValidationError):
            services.delete_questionnaire(questionnaire, actor=users["manager"])
        assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()
        unused = build(users["member"], title="另一个")
        services.delete_questionnaire(unused, actor=users["manager"])
        assert not Questionnaire.objects.filter(pk=unused.pk).exists()
        assert AuditEvent.objects.filter(object_id=str(unused.pk), action="deleted").exists()

    def test_deleting_a_section_keeps_its_questions(self, users):
        questionnaire = build(users["member"])
        section = questionnaire.sections.get(title="关于您")
        services.delete_section(section, actor=users["member"])
        assert questionnaire.questions.get(text="您的部门").section is None


@pytest.mark.django_db
class TestValidation:
    @pytest.fixture
    def questionnaire(self, users):
        return services.create_questionnaire(actor=users["member"], title="Q", language="en")

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"kind": "single", "text": "?", "options": ["A"]}, "options"),
            ({"kind": "multiple", "text": "?", "options": ["A", " A ", ""]}, "options"),
            ({"kind": "ranking", "text": "?", "options": []}, "options"),
            ({"kind": "rating", "text": "?", "scale_min": 5, "scale_max": 5}, "scale_max"),
            ({"kind": "rating", "text": "?", "scale_min": 0, "scale_max": 11}, "scale_max"),
            ({"kind": "rating", "text": "?", "scale_min": None, "scale_max": 5}, "scale_min"),
            ({"kind": "kano", "text": "?", "kano_feature": " "}, "kano_feature"),
            ({"kind": "short_text", "text": "  "}, "text"),
            ({"kind": "riddle", "text": "?"}, "kind"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(
        self, users, questionnaire, fields, field
    ):
        with pytest.raises(ValidationError) as raised:
            services.add_question(questionnaire, actor=users["member"], **fields)
        assert set(raised.value.message_dict) == {field}
        assert not questionnaire.questions.exists()
        assert not AuditEvent.objects.filter(action="question_added").exists()

    def test_each_kind_keeps_only_its_own_fields(self, users, questionnaire):
        add = lambda **fields: services.add_question(  # noqa: E731
            questionnaire, actor=users["member"], **fields
        )
        text = add(kind="long_text", text="?", options=["A", "B"], allow_other=True)
        assert (text.options, text.allow_other) == ([], False)
        ranking = add(kind="ranking", text="?", options=[" A", "B "], allow_other=True)
        assert (ranking.options, ranking.allow_other) == (["A", "B"], False)
        nps = add(kind="nps", text="?", scale_min=3, scale_max=4)
        assert (nps.scale_min, nps.scale_max) == (0, 10)
        rating = add(kind="rating", text="?", scale_min=0, scale_max=10)
        assert (rating.scale_min, rating.scale_max) == (0, 10)
        date = add(kind="date", text="?", kano_feature="x", dysfunctional_text="y")
        assert (date.kano_feature, date.dysfunctional_text) == ("", "")

    def test_a_kano_pair_is_worded_in_the_questionnaires_language(self, users, questionnaire):
        kano = services.add_question(
            questionnaire, actor=users["member"], kind="kano", kano_feature="WeCom integration"
        )
        assert kano.text == "If the system has WeCom integration, how do you feel?"
        assert kano.dysfunctional_text == (
            "If the system does NOT have WeCom integration, how do you feel?"
        )
        own = services.add_question(
            questionnaire,
            actor=users["member"],
            kind="kano",
            kano_feature="reports",
            text="Reports are generated for you?",
            dysfunctional_text="You write reports by hand?",
        )
        assert (own.text, own.dysfunctional_text) == (
            "Reports are generated for you?",
            "You write reports by hand?",
        )

    def test_a_section_of_another_questionnaire_is_refused(self, users, questionnaire):
        other = build(users["member"])
        with pytest.raises(ValidationError) as raised:
            services.add_question(
                questionnaire,
                actor=users["member"],
                kind="date",
                text="?",
                section=other.sections.first(),
            )
        assert set(raised.value.message_dict) == {"section"}

    def test_an_answered_questions_type_is_fixed(self, users):
        from charter.discovery.tests.test_questionnaire_builder_views import answer

        questionnaire = build(users["member"])
        question = questionnaire.questions.get(kind="short_text")
        answer(question, "研发部")
        with pytest.raises(ValidationError) as raised:
            services.update_question(question, actor=users["member"], kind="long_text")
        assert set(raised.value.message_dict) == {"kind"}
        services.update_question(question, actor=users["member"], text="您所在的部门")
        event = AuditEvent.objects.filter(action="question_changed").get()
        assert event.changes == {"question": ["您的部门", "您所在的部门"]}


@pytest.mark.django_db
def test_moving_swaps_with_the_neighbour_in_the_same_section(users):
    questionnaire = services.create_questionnaire(actor=users["member"], title="Q", language="en")
    section = services.add_section(questionnaire, actor=users["member"], title="S")
    first, second, third = (
        services.add_question(
            questionnaire, actor=users["member"], kind="date", text=text, section=section
        )
        for text in ("one", "two", "three")
    )
    services.add_question(questionnaire, actor=users["member"], kind="date", text="loose")
    assert services.move_question(third, actor=users["member"], direction="up") is True
    in_section = questionnaire.questions.filter(section=section).order_by("position")
    assert [q.text for q in in_section] == ["one", "three", "two"]
    assert services.move_question(first, actor=users["member"], direction="up") is False
    second.refresh_from_db()
    assert services.move_question(second, actor=users["member"], direction="down") is False
    event = AuditEvent.objects.filter(action="question_moved").get()
    assert event.changes["question"] == ["three", "three"]


@given(st.lists(st.sampled_from(["A", " A", "B", "b", "", "  ", "长选项"]), max_size=8))
def test_clean_options_keeps_distinct_nonblank_options_in_order(options):
    kept = [option.strip() for option in options if option.strip()]
    try:
        cleaned = services.clean_options(options)
    except ValidationError:
        assert len(kept) < 2 or len(set(kept)) < len(kept)
    else:
        assert cleaned == kept
        assert len(set(cleaned)) == len(cleaned) >= 2


@pytest.mark.parametrize(("low", "high", "ok"), [(1, 5, True), (0, 10, True), (0, 11, False)])
def test_rating_scales_have_at_most_eleven_points(low, high, ok):
    values = {"kind": QuestionKind.RATING, "text": "?", "scale_min": low, "scale_max": high}
    if ok:
        assert services.clean_question(values, language="en")["scale_max"] == high
    else:
        with pytest.raises(ValidationError):
            services.clean_question(values, language="en")


def test_kano_wording_in_chinese_uses_the_catalogue_language():
    functional, dysfunctional = services.kano_wording("移动端审批", "zh-hans")
    assert "移动端审批" in functional and "移动端审批" in dysfunctional
    assert functional != dysfunctional


@pytest.mark.django_db
def test_unknown_fields_are_a_programming_error():
    with pytest.raises(ValueError, match="colour"):
        services.create_questionnaire(actor=None, title="Q", language="en", colour="red")


@pytest.mark.django_db
def test_the_demo_templates_use_every_kind_and_seed_once(users):
    from charter.demo.discovery_questionnaires import seed_questionnaire_templates

    created = seed_questionnaire_templates(actor=users["manager"])
    assert [(t.title, t.language) for t in created] == [
        ("需求调研问卷", "zh-hans"),
        ("Requirements discovery questionnaire", "en"),
    ]
    for template in created:
        assert template.is_template and template.sections.count() == 4
        assert set(template.questions.values_list("kind", flat=True)) == set(QuestionKind.values)
        assert template.questions.filter(kind="kano").count() == 3
    zh, en = created
    assert zh.questions.filter(kano_feature="与企业微信集成").get().text != (
        en.questions.filter(kano_feature="WeCom integration").get().text
    )
    assert seed_questionnaire_templates(actor=users["manager"]) == []
    assert Questionnaire.objects.count() == 2
