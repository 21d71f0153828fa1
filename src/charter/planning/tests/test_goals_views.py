"""The Goals and scope tab: the page, the forms, and the confirmation banner."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.discovery.choices import Decision
from charter.discovery.services import documents
from charter.discovery.tests.factories import make_document, make_requirement, sent_request
from charter.planning.models import Goal, ScopeItem
from charter.planning.services import goals as services
from charter.planning.tests.factories import make_project
from charter.planning.tests.matrix_goals import make_goal, make_scope_item
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _page(http, project):
    return http.get(reverse("planning:goals", args=[project.pk]))


def _goal_form(**extra):
    return {
        "title": "客户满意度",
        "baseline_value": "72",
        "target": "85.5",
        "unit": "分",
        "due_date": "2027-03-31",
        **extra,
    }


def test_the_page_shows_goals_requirements_and_both_sides_of_the_scope(project, signed_in):
    requirement = make_requirement(project, title="自动对账")
    make_goal(project, requirements=[requirement])
    make_scope_item(project)
    make_scope_item(project, text="人力资源模块", in_scope=False)
    response = _page(signed_in("member"), project)
    page = response.content.decode()
    assert response.status_code == 200
    assert "月结天数" in page and "10 天" in page and "3 天" in page
    assert f'href="{requirement.get_absolute_url()}"' in page and requirement.code in page
    scope_in = page.index('data-testid="scope-in"')
    scope_out = page.index('data-testid="scope-out"')
    assert scope_in < page.index("财务模块上线") < scope_out < page.index("人力资源模块")
    assert 'data-state="never_confirmed"' in page
    assert reverse("discovery:project_document", args=[project.pk]) in page
    assert 'data-testid="add-goal"' not in page  # members read; managers change


def test_a_manager_adds_a_goal_linked_to_a_requirement(project, signed_in, users, client_org):
    requirement = make_requirement(project)
    foreign = make_requirement(make_project(client_org, manager=users["manager"]), title="别的")
    http = signed_in("manager")
    url = reverse("planning:goal_create", args=[project.pk])
    form_page = http.get(url).content.decode()
    assert requirement.code in form_page and "别的" not in form_page
    response = http.post(url, _goal_form(requirements=[requirement.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:goals", args=[project.pk]) + "#goals"
    goal = Goal.objects.get()
    assert goal.target == Decimal("85.5") and list(goal.requirements.all()) == [requirement]
    assert 'data-testid="add-goal"' in _page(http, project).content.decode()
    refused = http.post(url, _goal_form(requirements=[foreign.pk]))
    assert refused.status_code == 422 and Goal.objects.count() == 1


def test_an_invalid_goal_shows_field_errors(project, signed_in):
    url = reverse("planning:goal_create", args=[project.pk])
    response = signed_in("manager").post(url, _goal_form(target="很多", due_date=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_target_error"' in page and 'id="id_due_date_error"' in page
    assert not Goal.objects.exists()


def test_a_stale_goal_edit_is_409(project, signed_in):
    goal = make_goal(project)
    url = reverse("planning:goal_edit", args=[goal.pk])
    http = signed_in("manager")
    assert 'value="月结天数"' in http.get(url).content.decode()
    assert http.post(url, _goal_form(version=1)).status_code == 302
    response = http.post(url, _goal_form(title="旧", version=1))
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "客户满意度"


def test_scope_statements_are_added_edited_moved_and_deleted(project, signed_in):
    http = signed_in("manager")
    create = reverse("planning:scope_item_create", args=[project.pk])
    assert http.post(create, {"text": "财务模块上线", "in_scope": "True"}).status_code == 302
    assert http.post(create, {"text": "移动端", "in_scope": "True"}).status_code == 302
    first, second = ScopeItem.objects.all()
    edit = reverse("planning:scope_item_edit", args=[second.pk])
    http.post(edit, {"text": "移动端 App", "in_scope": "False", "version": 1})
    second.refresh_from_db()
    assert (second.text, second.in_scope, second.version) == ("移动端 App", False, 2)
    http.post(reverse("planning:scope_item_move", args=[first.pk]), {"direction": "down"})
    delete = reverse("planning:scope_item_delete", args=[first.pk])
    assert "财务模块上线" in http.get(delete).content.decode()
    assert http.post(delete).status_code == 302
    assert list(ScopeItem.objects.values_list("text", flat=True)) == ["移动端 App"]


def test_goals_move_up_and_down(project, signed_in):
    first, second = make_goal(project, title="甲"), make_goal(project, title="乙")
    http = signed_in("manager")
    response = http.post(reverse("planning:goal_move", args=[second.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert list(project.goals.values_list("title", flat=True)) == ["乙", "甲"]
    http.post(reverse("planning:goal_move", args=[first.pk]), {"direction": "sideways"})
    assert list(project.goals.values_list("title", flat=True)) == ["乙", "甲"]


def test_members_cannot_change_and_other_projects_are_404(project, signed_in, users, client_org):
    goal = make_goal(project)
    member = signed_in("member")
    assert member.post(reverse("planning:goal_create", args=[project.pk])).status_code == 403
    assert member.post(reverse("planning:goal_delete", args=[goal.pk])).status_code == 403
    elsewhere = make_project(client_org, manager=users["manager"])
    assert _page(member, elsewhere).status_code == 404
    assert _page(signed_in("client"), project).status_code == 403
    assert Goal.objects.filter(pk=goal.pk).exists()


def _confirmed_document(project, users):
    contact = ContactFactory(client=project.client, name="陈静")
    document = make_document(project, actor=users["manager"])
    documents.update_document(document, actor=None, expected_version=2, confirmers=[contact])
    version = documents.publish_document(document, actor=None)
    request, _token = sent_request(version, contact=contact)
    documents.decide(
        request, decision=Decision.CONFIRMED, content_hash=version.content_hash, ip="10.0.0.8"
    )
    return document


def test_the_banner_says_confirmed_and_then_what_changed(project, signed_in, users):
    goal = make_goal(project)
    _confirmed_document(project, users)
    http = signed_in("member")
    page = _page(http, project).content.decode()
    assert 'data-state="confirmed"' in page and "陈静" in page
    services.update_goal(goal, actor=None, expected_version=1, target=Decimal("2"))
    page = _page(http, project).content.decode()
    assert 'data-state="changed"' in page and 'data-testid="changes"' in page
    assert "Target:</span> <del" in page


def test_the_page_costs_the_same_queries_for_2_and_12_goals(project, signed_in, users):
    _confirmed_document(project, users)
    http = signed_in("manager")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _page(http, project).status_code == 200
        return len(queries)

    for number in range(2):
        make_goal(project, title=f"目标 {number}", requirements=[make_requirement(project)])
        make_scope_item(project, text=f"范围 {number}")
    few = count()
    for number in range(2, 12):
        make_goal(project, title=f"目标 {number}", requirements=[make_requirement(project)])
        make_scope_item(project, text=f"范围 {number}", in_scope=number % 2 == 0)
    assert count() == few
