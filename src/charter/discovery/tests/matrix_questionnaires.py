"""Permission-matrix rows of the questionnaire library and builder. The library is staff-only;
deleting a questionnaire is for managers. Rows use plain questionnaires (templates need
managers to edit, which the service tests cover)."""

from typing import Any

from charter.discovery.models import Question, Questionnaire, QuestionSection
from charter.discovery.services import questionnaires as services
from charter.testing.matrix import LOGIN, Case, roles


def _manager() -> Any:
    from charter.accounts.models import User

    return User.objects.get(username="manager")  # made by the ``users`` fixture


def _questionnaire(world: Any) -> Questionnaire:
    return services.create_questionnaire(
        actor=_manager(), title=world.unique("问卷"), language="zh-hans"
    )


def _section(world: Any) -> QuestionSection:
    return services.add_section(_questionnaire(world), actor=_manager(), title="关于您")


def _question(world: Any) -> Question:
    section = _section(world)
    return services.add_question(
        section.questionnaire, actor=_manager(), kind="date", text="上线日期", section=section
    )


def _pk(make: Any) -> Any:
    return lambda world: {"pk": make(world).pk}


STAFF_ONLY = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_ONLY = roles(LOGIN, 200, 200, 403, 403)

HTML: dict[str, Case] = {
    "discovery:questionnaire_list": Case(STAFF_ONLY),
    "discovery:questionnaire_create": Case(STAFF_ONLY),
    "discovery:questionnaire_detail": Case(STAFF_ONLY, kwargs=_pk(_questionnaire)),
    "discovery:questionnaire_edit": Case(STAFF_ONLY, kwargs=_pk(_questionnaire)),
    "discovery:questionnaire_copy": Case(
        roles(LOGIN, 302, 302, 302, 403), kwargs=_pk(_questionnaire), method="post"
    ),
    "discovery:questionnaire_delete": Case(MANAGERS_ONLY, kwargs=_pk(_questionnaire)),
    "discovery:questionnaire_section_create": Case(STAFF_ONLY, kwargs=_pk(_questionnaire)),
    "discovery:questionnaire_section_edit": Case(STAFF_ONLY, kwargs=_pk(_section)),
    "discovery:questionnaire_section_delete": Case(STAFF_ONLY, kwargs=_pk(_section)),
    "discovery:question_create": Case(STAFF_ONLY, kwargs=_pk(_questionnaire)),
    "discovery:question_edit": Case(STAFF_ONLY, kwargs=_pk(_question)),
    "discovery:question_move": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=_pk(_question),
        method="post",
        data={"direction": "up"},
    ),
    "discovery:question_delete": Case(STAFF_ONLY, kwargs=_pk(_question)),
}


def _id(name: str, make: Any) -> Any:
    return lambda world: {name: make(world).pk}


API: dict[str, Case] = {
    "GET /api/v1/questionnaires": Case(roles(401, 200, 200, 200, 403)),
    "POST /api/v1/questionnaires": Case(
        roles(401, 201, 201, 201, 403), data=lambda w: {"title": w.unique("问卷")}
    ),
    "GET /api/v1/questionnaires/<questionnaire_id>": Case(
        roles(401, 200, 200, 200, 403), kwargs=_id("questionnaire_id", _questionnaire)
    ),
    # Without If-Match: 428 once the role may edit.
    "PATCH /api/v1/questionnaires/<questionnaire_id>": Case(
        roles(401, 428, 428, 428, 403), kwargs=_id("questionnaire_id", _questionnaire)
    ),
    "DELETE /api/v1/questionnaires/<questionnaire_id>": Case(
        roles(401, 204, 204, 403, 403), kwargs=_id("questionnaire_id", _questionnaire)
    ),
    "POST /api/v1/questionnaires/<questionnaire_id>/copy": Case(
        roles(401, 201, 201, 201, 403), kwargs=_id("questionnaire_id", _questionnaire)
    ),
    "POST /api/v1/questionnaires/<questionnaire_id>/sections": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=_id("questionnaire_id", _questionnaire),
        data={"title": "需求"},
    ),
    "PATCH /api/v1/questionnaire-sections/<section_id>": Case(
        roles(401, 200, 200, 200, 403), kwargs=_id("section_id", _section), data={"title": "新"}
    ),
    "DELETE /api/v1/questionnaire-sections/<section_id>": Case(
        roles(401, 204, 204, 204, 403), kwargs=_id("section_id", _section)
    ),
    "POST /api/v1/questionnaires/<questionnaire_id>/questions": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=_id("questionnaire_id", _questionnaire),
        data={"kind": "nps", "text": "推荐意愿"},
    ),
    "PATCH /api/v1/questions/<question_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=_id("question_id", _question),
        data={"required": True},
    ),
    "DELETE /api/v1/questions/<question_id>": Case(
        roles(401, 204, 204, 204, 403), kwargs=_id("question_id", _question)
    ),
}
