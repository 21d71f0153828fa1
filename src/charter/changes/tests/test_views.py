"""Change request pages: raise, list (filters, counts, empty state), edit with the version while
proposed, approve with a note (confirmed requirements become "changed"), mark implemented,
reject, delete; who may do what; Chinese; the register's query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.changes import services
from charter.changes.models import ChangeRequest
from charter.core.models import AuditEvent
from charter.discovery.models import Requirement
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _list_url(project):
    return reverse("changes:project_change_requests", args=[project.pk])


def _create_url(project):
    return reverse("changes:change_request_create", args=[project.pk])


def _edit_url(change):
    return reverse("changes:change_request_edit", args=[change.pk])


def _decide_url(change):
    return reverse("changes:change_request_decide", args=[change.pk])


def _implemented_url(change):
    return reverse("changes:change_request_implemented", args=[change.pk])


def _delete_url(change):
    return reverse("changes:change_request_delete", args=[change.pk])


def _raise(project, users, **fields):
    fields = {"title": "增加移动端审批", **fields}
    return services.create_change_request(project, actor=users["member"], **fields)


def _values(change, **changes):
    values = {
        "title": change.title,
        "description": change.description,
        "reason": change.reason,
        "requested_by": change.requested_by_id or "",
        "requested_on": change.requested_on.isoformat(),
        "requirements": [r.pk for r in change.requirements.all()],
        "version": change.version,
    }
    if change.client_visible:
        values["client_visible"] = "on"
    return {**values, **changes}


def test_raise_list_edit_approve_and_implement(project, signed_in, users):
    confirmed = make_requirement(project, title="统一客户主数据", status="confirmed")
    proposed = make_requirement(project, title="移动端审批", status="proposed")
    contact = ContactFactory(client=project.client, name="王芳")
    http = signed_in("manager")

    form = http.get(_create_url(project))
    assert form.status_code == 200
    html = form.content.decode()
    assert f'value="{datetime.date.today().isoformat()}"' in html  # requested on: today
    assert "REQ-001 统一客户主数据" in html and "REQ-002 移动端审批" in html
    assert "王芳" in html

    created = http.post(
        _create_url(project),
        {
            "title": "报表增加按区域汇总",
            "description": "月报需要按华东、华南分区汇总。",
            "reason": "区域经理需要看自己的数字。",
            "requested_by": contact.pk,
            "requested_on": "2026-12-03",
            "requirements": [confirmed.pk, proposed.pk],
            "client_visible": "on",
        },
    )
    assert created.status_code == 302
    change = ChangeRequest.objects.get()
    assert created["Location"] == change.get_absolute_url()
    assert (change.code, change.status, change.requested_by, change.created_by) == (
        "CR-001",
        "proposed",
        contact,
        users["manager"],
    )
    assert change.client_visible and set(change.requirements.all()) == {confirmed, proposed}
    detail = http.get(created["Location"])
    assert "Change request CR-001 was raised." in detail.content.decode()

    listing = http.get(_list_url(project)).content.decode()
    assert listing.count('data-testid="change-request"') == 1
    assert "CR-001" in listing and "王芳" in listing and "REQ-001" in listing
    assert 'data-status="proposed"' in listing and "bg-blue-lt" in listing

    edit_page = http.get(_edit_url(change))
    assert edit_page.status_code == 200 and 'name="version"' in edit_page.content.decode()
    saved = http.post(_edit_url(change), _values(change, title="报表按区域和产品线汇总"))
    assert saved.status_code == 302 and saved["Location"] == change.get_absolute_url()
    change.refresh_from_db()
    assert (change.title, change.version) == ("报表按区域和产品线汇总", 2)
    assert AuditEvent.objects.filter(action="updated", object_id=str(change.pk)).exists()

    approved = http.post(
        _decide_url(change), {"status": "approved", "note": "客户同意追加预算", "version": 2}
    )
    assert approved.status_code == 302 and approved["Location"] == change.get_absolute_url()
    change.refresh_from_db()
    assert (change.status, change.decision_note, change.decided_by) == (
        "approved",
        "客户同意追加预算",
        users["manager"],
    )
    confirmed.refresh_from_db()
    proposed.refresh_from_db()
    assert (confirmed.status, proposed.status) == ("changed", "proposed")

    page = http.get(change.get_absolute_url())
    html = page.content.decode()
    assert "CR-001 was approved." in html
    assert 'data-testid="decision-note">客户同意追加预算' in html
    assert reverse("discovery:requirement_detail", args=[confirmed.pk]) in html
    assert html.count('data-testid="requirement"') == 2 and "Changed" in html
    assert 'data-testid="implemented-form"' in html
    assert 'data-testid="decide-form"' not in html and _edit_url(change) not in html
    assert _delete_url(change) not in html
    assert 'data-testid="history"' in html and "took a decision on" in html

    done = http.post(_implemented_url(change), {"version": change.version})
    assert done.status_code == 302
    change.refresh_from_db()
    assert change.status == "implemented"
    html = http.get(change.get_absolute_url()).content.decode()
    assert "CR-001 was marked implemented." in html
    assert 'data-testid="implemented-form"' not in html and "bg-teal-lt" in html


def test_reject_keeps_the_requirements_as_they_are(project, signed_in, users):
    confirmed = make_requirement(project, status="confirmed")
    change = _raise(project, users, requirements=[confirmed])
    http = signed_in("manager")
    rejected = http.post(
        _decide_url(change), {"status": "rejected", "note": "超出合同范围", "version": 1}
    )
    assert rejected.status_code == 302
    change.refresh_from_db()
    confirmed.refresh_from_db()
    assert (change.status, change.decision_note, confirmed.status) == (
        "rejected",
        "超出合同范围",
        "confirmed",
    )
    html = http.get(change.get_absolute_url()).content.decode()
    assert "CR-001 was rejected." in html and "超出合同范围" in html
    assert 'data-testid="implemented-form"' not in html and 'data-testid="decide-form"' not in html
    # Once decided, no second decision and no implementing a rejected request.
    again = http.post(_decide_url(change), {"status": "approved", "version": change.version})
    assert again.status_code == 422
    implement = http.post(_implemented_url(change), {"version": change.version})
    assert implement.status_code == 422 and "cannot become" in implement.content.decode()
    change.refresh_from_db()
    assert change.status == "rejected"


def test_a_stale_decision_is_refused(project, signed_in, users):
    change = _raise(project, users)
    services.update_change_request(
        change, actor=users["manager"], expected_version=1, title="有人先改了"
    )
    http = signed_in("manager")
    stale = http.post(_decide_url(change), {"status": "approved", "note": "同意", "version": 1})
    assert stale.status_code == 409
    assert "Someone else saved this record after you opened it" in stale.content.decode()
    change.refresh_from_db()
    assert (change.status, change.decision_note, change.version) == ("proposed", "", 2)


def test_a_member_raises_but_does_not_edit_decide_or_delete(project, signed_in, users):
    http = signed_in("member")
    empty = http.get(_list_url(project)).content.decode()
    assert "No change requests yet." in empty and _create_url(project) in empty
    created = http.post(_create_url(project), {"title": "导出 PDF", "requested_on": "2026-12-04"})
    assert created.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.created_by == users["member"]
    html = http.get(change.get_absolute_url()).content.decode()
    assert 'data-testid="decide-form"' not in html and _edit_url(change) not in html
    assert _delete_url(change) not in html and "Not decided yet." in html
    assert http.get(_edit_url(change)).status_code == 403
    assert http.post(_decide_url(change), {"status": "approved", "version": 1}).status_code == 403
    assert http.post(_delete_url(change)).status_code == 403
    change.refresh_from_db()
    assert change.status == "proposed"


def test_a_member_off_the_project_gets_404(project, signed_in, users):
    change = _raise(project, users)
    project.members.remove(users["member"])
    http = signed_in("member")
    assert http.get(_list_url(project)).status_code == 404
    assert http.get(change.get_absolute_url()).status_code == 404


def test_client_users_get_403_everywhere(project, signed_in, users):
    change = _raise(project, users)
    http = signed_in("client")
    assert http.get(_list_url(project)).status_code == 403
    assert http.get(_create_url(project)).status_code == 403
    assert http.get(change.get_absolute_url()).status_code == 403
    assert http.get(_edit_url(change)).status_code == 403
    assert http.post(_decide_url(change), {"status": "approved", "version": 1}).status_code == 403
    assert http.post(_implemented_url(change), {"version": 1}).status_code == 403
    assert http.post(_delete_url(change)).status_code == 403
    assert ChangeRequest.objects.get().status == "proposed"


def test_a_stale_edit_is_refused_and_nothing_written(project, signed_in, users):
    change = _raise(project, users)
    http = signed_in("manager")
    first = http.post(_edit_url(change), _values(change, title="第一次修改"))
    assert first.status_code == 302
    stale = http.post(_edit_url(change), _values(change, title="基于旧版本的修改", version=1))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else saved this record after you opened it" in html
    assert 'value="基于旧版本的修改"' in html  # what was typed stays on the form
    change.refresh_from_db()
    assert (change.title, change.version) == ("第一次修改", 2)


def test_bad_input_is_shown_on_the_form(project, signed_in, users, other_client_org):
    stranger = ContactFactory(client=other_client_org)
    elsewhere_project = make_project(other_client_org, manager=users["manager"])
    other_requirement = make_requirement(elsewhere_project, title="别的项目的需求")
    http = signed_in("manager")
    empty = http.post(_create_url(project), {"title": " ", "requested_on": "2026-12-01"})
    assert empty.status_code == 422 and "This field is required." in empty.content.decode()
    foreign = http.post(
        _create_url(project),
        {"title": "改需求", "requested_on": "2026-12-01", "requested_by": stranger.pk},
    )
    assert foreign.status_code == 422 and 'data-field="requested_by"' in foreign.content.decode()
    assert "is-invalid" in foreign.content.decode()
    elsewhere = http.post(
        _create_url(project),
        {"title": "改需求", "requested_on": "2026-12-01", "requirements": [other_requirement.pk]},
    )
    assert elsewhere.status_code == 422
    assert not ChangeRequest.objects.exists()


def test_a_decided_request_cannot_be_edited(project, signed_in, users):
    change = _raise(project, users)
    services.decide_change_request(
        change, actor=users["manager"], expected_version=1, status="approved", note="同意"
    )
    http = signed_in("manager")
    page = http.get(_edit_url(change))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="edit-locked"' in html and 'data-testid="change-form"' not in html
    assert "CR-001 is Approved" in html
    refused = http.post(_edit_url(change), _values(change, title="决定后再改"))
    assert refused.status_code == 422
    assert 'data-testid="change-form"' not in refused.content.decode()
    change.refresh_from_db()
    assert (change.title, change.status) == ("增加移动端审批", "approved")


def test_delete_a_proposed_request_but_not_a_decided_one(project, signed_in, users):
    proposed = _raise(project, users)
    decided = _raise(project, users, title="第二个")
    services.decide_change_request(
        decided, actor=users["manager"], expected_version=1, status="rejected"
    )
    http = signed_in("manager")
    page = http.get(proposed.get_absolute_url()).content.decode()
    assert _delete_url(proposed) in page and "data-confirm=" in page
    gone = http.post(_delete_url(proposed))
    assert gone.status_code == 302 and gone["Location"] == _list_url(project)
    assert not ChangeRequest.objects.filter(pk=proposed.pk).exists()
    assert "CR-001 was deleted." in http.get(gone["Location"]).content.decode()
    kept = http.post(_delete_url(decided))
    assert kept.status_code == 302 and kept["Location"] == decided.get_absolute_url()
    assert ChangeRequest.objects.filter(pk=decided.pk).exists()
    assert "kept as it was decided" in http.get(kept["Location"]).content.decode()


def test_the_register_filters_by_status_and_search_with_counts(project, signed_in, users):
    _raise(project, users, title="报表按区域汇总")
    second = _raise(project, users, title="移动端审批", description="领导要在手机上审批报表")
    third = _raise(project, users, title="单点登录")
    services.decide_change_request(
        second, actor=users["manager"], expected_version=1, status="approved"
    )
    services.decide_change_request(
        third, actor=users["manager"], expected_version=1, status="rejected"
    )
    http = signed_in("manager")
    response = http.get(_list_url(project))
    assert [row.code for row in response.context["page"].object_list] == [
        "CR-003",
        "CR-002",
        "CR-001",
    ]
    assert response.context["statuses"] == [
        ("proposed", "Proposed", 1),
        ("approved", "Approved", 1),
        ("rejected", "Rejected", 1),
        ("implemented", "Implemented", 0),
    ]
    approved = http.get(_list_url(project), {"status": "approved"}).context["page"].object_list
    assert [row.code for row in approved] == ["CR-002"]
    searched = http.get(_list_url(project), {"q": "报表"})
    assert [row.code for row in searched.context["page"].object_list] == ["CR-002", "CR-001"]
    assert searched.context["total"] == 2  # the counts follow the search
    assert [row.code for row in http.get(_list_url(project), {"q": "cr-003"}).context["page"]] == [
        "CR-003"
    ]
    nothing = http.get(_list_url(project), {"status": "implemented"}).content.decode()
    assert "Nothing matches the filters." in nothing


def test_the_register_speaks_chinese(project, signed_in, users):
    change = _raise(project, users, requirements=[make_requirement(project, status="confirmed")])
    users["manager"].language = "zh-hans"
    users["manager"].save(update_fields=["language"])
    http = signed_in("manager")
    # Words the catalogue already carries: the status column, the detail's facts, the form.
    pages = {
        _list_url(project): ("状态", "编号", "筛选"),
        change.get_absolute_url(): ("需求", "历史记录", "客户可见"),
        _edit_url(change): ("保存", "取消"),
    }
    for url, words in pages.items():
        response = http.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html
        assert all(word in html for word in words), url


def test_the_register_costs_the_same_queries_for_many_rows(project, signed_in, users):
    requirements = [make_requirement(project, title=f"需求 {n}") for n in range(3)]
    contact = ContactFactory(client=project.client)
    _raise(project, users, requested_by=contact, requirements=requirements[:1])
    http = signed_in("manager")
    url = _list_url(project)
    http.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for n in range(12):
        _raise(
            project,
            users,
            title=f"变更 {n}",
            requested_by=ContactFactory(client=project.client),
            requirements=requirements,
        )
    with CaptureQueriesContext(connection) as many:
        response = http.get(url)
    assert len(many) == len(few)
    assert response.content.decode().count('data-testid="change-request"') == 13
    assert Requirement.objects.count() == 3


def test_approving_without_requirements_says_only_that(project, signed_in, users):
    change = _raise(project, users)
    http = signed_in("manager")
    done = http.post(_decide_url(change), {"status": "approved", "version": 1}, follow=True)
    html = done.content.decode()
    assert "CR-001 was approved." in html and "now marked" not in html
