"""The requirements document holds a project's measurable goals and scope statements: its
content, hash, diff, and every page and export that shows a version."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document

from charter.discovery.services import documents
from charter.discovery.services.document_content import (
    build_content,
    content_hash,
    diff_contents,
    document_plan,
    present,
)
from charter.discovery.tests.factories import make_document, make_requirement, sent_request
from charter.planning.services import goals as services
from charter.planning.tests.matrix_goals import make_goal, make_scope_item
from charter.testing.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(project, users):
    return make_document(project, actor=users["manager"])


def _content(document):
    """The draft's content with the project's goals and scope, built as publishing builds it."""
    return build_content(
        title=document.title,
        language=document.language,
        texts={"background": document.background},
        requirements=documents.register_rows(document),
        **document_plan(document),
    )


def _section(content, key):
    return next(section for section in content["sections"] if section["key"] == key)


def test_the_goals_and_scope_sections_hold_the_projects_rows(project, document):
    requirement = make_requirement(project, title="自动对账")
    goal = make_goal(project, requirements=[requirement])
    kept = make_scope_item(project)
    left_out = make_scope_item(project, text="人力资源模块", in_scope=False)
    content = _content(document)
    assert _section(content, "goals")["goals"] == [
        {
            "id": goal.pk,
            "title": "月结天数",
            "target": "3",
            "unit": "天",
            "baseline": "10",
            "due": "2027-06-30",
            "requirements": [requirement.code],
        }
    ]
    assert _section(content, "scope")["scope"] == [
        {"id": kept.pk, "text": "财务模块上线", "in_scope": True},
        {"id": left_out.pk, "text": "人力资源模块", "in_scope": False},
    ]


def test_the_hash_changes_when_a_goal_or_statement_changes(project, document):
    goal = make_goal(project)
    before = content_hash(_content(document))
    services.update_goal(goal, actor=None, expected_version=1, target=Decimal("3.00"))
    assert content_hash(_content(document)) == before  # the same number, written otherwise
    services.update_goal(
        goal, actor=None, expected_version=2, due_date=goal.due_date.replace(day=1)
    )
    changed = content_hash(_content(document))
    assert changed != before
    make_scope_item(project)
    assert content_hash(_content(document)) != changed


def test_a_deal_or_a_project_without_goals_keeps_its_content_as_it_was(project, users, client_org):
    deal_document = make_document(OpportunityFactory(client=client_org), actor=users["manager"])
    for document in (deal_document, make_document(project)):
        content = _content(document)
        assert "goals" not in _section(content, "goals")
        assert "scope" not in _section(content, "scope")
        assert content == build_content(
            title=document.title,
            language=document.language,
            texts={"background": document.background},
            requirements=documents.register_rows(document),
        )


def test_published_versions_freeze_the_goals_and_the_diff_shows_their_changes(project, document):
    goal = make_goal(project)
    item = make_scope_item(project)
    v1 = documents.publish_document(document, actor=None)
    assert _section(v1.content, "goals")["goals"][0]["title"] == "月结天数"
    services.update_goal(goal, actor=None, expected_version=1, title="月结工作日")
    services.delete_scope_item(item, actor=None)
    v2 = documents.publish_document(document, actor=None)
    v1.refresh_from_db()
    assert _section(v1.content, "goals")["goals"][0]["title"] == "月结天数"
    assert v2.content_hash != v1.content_hash
    diff = {section.key: section for section in diff_contents(v1.content, v2.content)}
    change = diff["goals"].goals[0]
    assert (change.kind, [f.field for f in change.fields]) == ("changed", ["title"])
    assert [(c.title, c.kind) for c in diff["scope"].scope] == [("财务模块上线", "removed")]
    assert diff["goals"].changed and diff["scope"].changed and not diff["background"].changed


def test_present_shows_goals_and_statements_in_the_documents_language(project, document):
    make_goal(project)
    make_scope_item(project)
    make_scope_item(project, text="人力资源模块", in_scope=False)
    with translation.override("zh-hans"):
        sections = {section.key: section for section in present(_content(document))}
    assert sections["goals"].goals[0]["due_date"].isoformat() == "2027-06-30"
    scope = {part.name: part.items for part in sections["scope"].texts}
    assert scope == {"scope_in": ["财务模块上线"], "scope_out": ["人力资源模块"]}
    assert not sections["scope"].empty and not sections["goals"].empty


def test_the_docx_lists_goals_and_statements(project, document):
    from charter.discovery.docx import document_docx_bytes

    make_goal(project, requirements=[make_requirement(project)])
    make_scope_item(project, text="人力资源模块", in_scope=False)
    doc = Document(io.BytesIO(document_docx_bytes(_content(document))))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert {"月结天数", "10 天", "3 天", "REQ-001"} <= set(cells)
    paragraphs = [paragraph.text for paragraph in doc.paragraphs]
    with translation.override("zh-hans"):
        heading = translation.gettext("Measurable goals")
    assert "人力资源模块" in paragraphs and heading in paragraphs


# ---- pages of the document (draft, version, print, confirmation, diff) --------------------------


def test_the_draft_page_shows_the_goals_table_and_the_scope_lists(project, document, signed_in):
    make_goal(project)
    make_scope_item(project, text="人力资源模块", in_scope=False)
    url = reverse("discovery:project_document", args=[project.pk])
    page = signed_in("member").get(url).content.decode()
    assert 'data-testid="goals"' in page and "月结天数" in page and "10 天" in page
    assert 'data-testid="statements-scope_out"' in page and "人力资源模块" in page


def test_a_version_its_print_page_and_the_confirmation_link_show_the_frozen_goals(
    project, document, signed_in
):
    goal = make_goal(project)
    version = documents.publish_document(document, actor=None)
    services.update_goal(goal, actor=None, expected_version=1, title="草稿里的新名字")
    http = signed_in("manager")
    pages = [
        http.get(version.get_absolute_url()),
        http.get(reverse("discovery:document_print", args=[document.pk]), {"version": 1}),
    ]
    _request, token = sent_request(version)
    pages.append(http.get(reverse("discovery:confirm", args=[token])))
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "月结天数" in body and "草稿里的新名字" not in body


def test_the_diff_page_lists_goal_changes_with_labels(project, document, signed_in):
    goal = make_goal(project)
    documents.publish_document(document, actor=None)
    services.update_goal(goal, actor=None, expected_version=1, target=Decimal("2"))
    make_scope_item(project)
    documents.publish_document(document, actor=None)
    url = reverse("discovery:document_diff", args=[document.pk])
    page = signed_in("member").get(url).content.decode()
    assert 'data-testid="goal-diff"' in page and 'data-testid="scope-diff"' in page
    assert "Target:</span> <del" in page and "财务模块上线" in page
