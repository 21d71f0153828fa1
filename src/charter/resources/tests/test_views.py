"""Resource pages and the task-assignment actions: forms, errors, who sees rates, query cost."""

from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.resources.models import Assignment, Resource
from charter.resources.services import pool as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(project):
    return project.tasks.filter(is_summary=False).order_by("position").first()


def _resource(users, name="王工", **fields):
    fields.setdefault("standard_rate", Decimal("321.50"))
    return services.create_resource(actor=users["manager"], name=name, **fields)


def _form(**extra):
    return {
        "name": "李工",
        "kind": "work",
        "max_units": "50",
        "standard_rate": "200",
        "currency": "CNY",
        "is_active": "on",
        **extra,
    }


def test_the_empty_list_invites_a_manager_to_add_one(signed_in):
    page = signed_in("manager").get(reverse("resources:resource_list")).content.decode()
    assert "No resources yet." in page and reverse("resources:resource_create") in page
    member_page = signed_in("member").get(reverse("resources:resource_list")).content.decode()
    assert "No resources yet." in member_page
    assert reverse("resources:resource_create") not in member_page


def test_rates_are_shown_to_managers_only(signed_in, users):
    _resource(users)
    manager_page = signed_in("manager").get(reverse("resources:resource_list")).content.decode()
    member_page = signed_in("member").get(reverse("resources:resource_list")).content.decode()
    assert "321.50" in manager_page and "Standard rate" in manager_page
    assert "321.50" not in member_page and "Standard rate" not in member_page


def test_search_and_filters_narrow_the_list(signed_in, users):
    _resource(users, "王工")
    _resource(users, "服务器", kind="material", is_active=False)
    http = signed_in("member")
    url = reverse("resources:resource_list")
    assert "服务器" not in http.get(url, {"q": "王"}).content.decode()
    assert "王工" not in http.get(url, {"kind": "material"}).content.decode()
    assert "王工" not in http.get(url, {"active": "no"}).content.decode()
    assert "Nothing matches your search." in http.get(url, {"q": "nobody"}).content.decode()


def test_the_list_costs_the_same_queries_for_5_and_50_resources(signed_in, users, task):
    http = signed_in("member")
    url = reverse("resources:resource_list")

    def queries_with(count):
        for number in range(Resource.objects.count(), count):
            resource = _resource(users, f"资源 {number:02}", user=users["member"])
            services.assign(task, resource, actor=users["manager"])
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    assert queries_with(5) == queries_with(50)


def test_the_list_is_paginated(signed_in, users):
    Resource.objects.bulk_create(Resource(name=f"资源 {n:02}") for n in range(55))
    page = signed_in("member").get(reverse("resources:resource_list"), {"page": 2})
    assert "资源 54" in page.content.decode() and "资源 00" not in page.content.decode()


def test_the_export_carries_rates_for_managers_only(signed_in, users):
    _resource(users)
    url = reverse("resources:resource_export")
    manager_csv = signed_in("manager").get(url, {"format": "csv"}).content.decode("utf-8-sig")
    member_csv = signed_in("member").get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Standard rate" in manager_csv and "321.50" in manager_csv
    assert "王工" in member_csv and "321.50" not in member_csv
    xlsx = signed_in("member").get(url, {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_manager_adds_a_resource(signed_in):
    response = signed_in("manager").post(reverse("resources:resource_create"), _form())
    resource = Resource.objects.get()
    assert response["Location"] == resource.get_absolute_url()
    assert (resource.max_units, resource.standard_rate) == (Decimal("0.5"), Decimal("200"))


def test_invalid_values_come_back_on_their_fields(signed_in, users):
    response = signed_in("manager").post(
        reverse("resources:resource_create"), _form(name="", user=users["client"].pk)
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "user"}


def test_a_stale_edit_is_refused(signed_in, users):
    resource = _resource(users)
    url = reverse("resources:resource_edit", args=[resource.pk])
    http = signed_in("manager")
    assert http.post(url, _form(version=1))["Location"] == resource.get_absolute_url()
    stale = http.post(url, _form(version=1, name="旧名"))
    assert stale.status_code == 409 and "Someone else saved" in stale.content.decode()
    assert Resource.objects.get().name == "李工"


def test_the_detail_shows_assignments_and_a_history_without_rates_for_members(
    signed_in, users, task
):
    resource = _resource(users)
    services.update_resource(
        resource, actor=users["manager"], expected_version=1, standard_rate=Decimal("999")
    )
    services.assign(task, resource, actor=users["manager"], units=Decimal("0.5"), work=600)
    member_page = signed_in("member").get(resource.get_absolute_url()).content.decode()
    assert task.name in member_page and task.project.code in member_page
    assert "50%" in member_page and ">10<" in member_page
    assert "999" not in member_page and "321.50" not in member_page
    manager_page = signed_in("manager").get(resource.get_absolute_url()).content.decode()
    assert "999" in manager_page


def test_delete_asks_then_deletes(signed_in, users):
    resource = _resource(users)
    url = reverse("resources:resource_delete", args=[resource.pk])
    http = signed_in("manager")
    assert "This cannot be undone." in http.get(url).content.decode()
    assert http.post(url)["Location"] == reverse("resources:resource_list")
    assert not Resource.objects.exists()


def test_delete_is_refused_while_assigned_with_the_reason(signed_in, users, task):
    resource = _resource(users)
    services.assign(task, resource, actor=users["manager"])
    url = reverse("resources:resource_delete", args=[resource.pk])
    http = signed_in("manager")
    assert "cannot be deleted" in http.get(url).content.decode()
    response = http.post(url, follow=True)
    assert "is assigned to 1 task" in response.content.decode()
    assert Resource.objects.exists()


def test_assign_change_and_remove_return_to_the_task(signed_in, users, task):
    resource = _resource(users)
    http = signed_in("manager")
    added = http.post(
        reverse("resources:assignment_add", args=[task.pk]),
        {"resource": resource.pk, "units": "50", "work": "10"},
    )
    assert added["Location"] == task.get_absolute_url()
    assignment = Assignment.objects.get()
    assert (assignment.units, assignment.work) == (Decimal("0.5"), 600)
    changed = http.post(
        reverse("resources:assignment_edit", args=[assignment.pk]),
        {"units": "100", "work": "", "version": 1},
        follow=True,
    )
    assert "Work (hours): This field is required." in changed.content.decode()
    http.post(
        reverse("resources:assignment_edit", args=[assignment.pk]),
        {"units": "100", "work": "16", "version": 1},
    )
    assignment.refresh_from_db()
    assert (assignment.units, assignment.work, assignment.version) == (Decimal("1"), 960, 2)
    removed = http.post(reverse("resources:assignment_delete", args=[assignment.pk]))
    assert removed["Location"] == task.get_absolute_url()
    assert not Assignment.objects.exists()


def test_a_refused_assignment_says_why_on_the_task_page(signed_in, users, task):
    resource = _resource(users)
    response = signed_in("manager").post(
        reverse("resources:assignment_add", args=[task.pk]),
        {"resource": resource.pk, "units": "0"},
        follow=True,
    )
    assert "A person works on a task at more than 0%." in response.content.decode()
    assert not Assignment.objects.exists()


def _card(user, task):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "resources/partials/task_assignments.html", {"task": task}, request=request
    )


def test_the_task_card_offers_editing_to_managers_and_shows_members_the_figures(users, task):
    resource = _resource(users)
    _resource(users, "李工")
    services.assign(task, resource, actor=users["manager"], units=Decimal("0.5"), work=600)
    manager_card = _card(users["manager"], task)
    assert reverse("resources:assignment_add", args=[task.pk]) in manager_card
    assert 'data-testid="unassign"' in manager_card
    # Only resources not yet on the task are offered.
    assert "李工</option>" in manager_card and "王工</option>" not in manager_card
    member_card = _card(users["member"], task)
    assert "王工" in member_card and "50%" in member_card
    assert "assign-form" not in member_card and "unassign" not in member_card


@pytest.mark.django_db
def test_the_history_page_keeps_rates_from_members(signed_in, users):
    resource = services.create_resource(
        actor=users["manager"], name="王工", standard_rate=Decimal("380.00")
    )
    url = f"/history/resources.resource/{resource.pk}/"
    assert "380" in signed_in("manager").get(url).content.decode()
    member_page = signed_in("member").get(url)
    assert member_page.status_code == 200 and "380" not in member_page.content.decode()
