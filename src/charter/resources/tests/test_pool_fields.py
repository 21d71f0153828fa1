"""Role, generic resource (placeholder) and cost per use on the pool's own form, list, detail,
export and API: validated with the resource's other fields, audited, version-checked, cost per
use hidden from team members exactly as the standard rate is, and filters by role and generic
or named."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.resources.models import Resource
from charter.resources.services import needs
from charter.resources.services import pool as services

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def backend(manager):
    return needs.create_role(actor=manager, name="后端工程师")


def _form(**extra):
    return {
        "name": "高级后端",
        "kind": "work",
        "max_units": "200",
        "standard_rate": "300",
        "cost_per_use": "",
        "currency": "CNY",
        "is_active": "on",
        **extra,
    }


def test_the_services_set_validate_and_audit_the_three_fields(manager, users, backend):
    generic = services.create_resource(
        actor=manager,
        name="高级后端",
        max_units=Decimal("2"),
        role=backend,
        is_placeholder=True,
        cost_per_use=Decimal("80"),
    )
    created = AuditEvent.objects.for_object(generic).get(action="created")
    assert {"role", "is_placeholder", "cost_per_use"} <= set(created.changes)
    with pytest.raises(ValidationError) as error:
        services.update_resource(generic, actor=manager, expected_version=1, user=users["member"])
    assert set(error.value.error_dict) == {"is_placeholder"}
    generic.refresh_from_db()
    services.update_resource(
        generic, actor=manager, expected_version=1, is_placeholder=False, role=None
    )
    updated = AuditEvent.objects.for_object(generic).get(action="updated")
    assert set(updated.changes) == {"is_placeholder", "role"}
    with pytest.raises(StaleEdit):
        services.update_resource(
            generic, actor=manager, expected_version=1, cost_per_use=Decimal("1")
        )


def test_a_manager_adds_a_generic_resource_with_role_and_cost_per_use(signed_in, backend):
    http = signed_in("manager")
    page = http.get(reverse("resources:resource_create")).content.decode()
    assert 'name="role"' in page and 'name="is_placeholder"' in page
    assert 'name="cost_per_use"' in page and "Equipment" in page
    response = http.post(
        reverse("resources:resource_create"),
        _form(role=backend.pk, is_placeholder="on", cost_per_use="80"),
    )
    resource = Resource.objects.get()
    assert response["Location"] == resource.get_absolute_url()
    assert (resource.role, resource.is_placeholder, resource.cost_per_use) == (
        backend,
        True,
        Decimal("80"),
    )
    assert resource.max_units == 2


def test_the_form_refuses_a_generic_colleague_or_equipment(signed_in, users):
    http = signed_in("manager")
    colleague = http.post(
        reverse("resources:resource_create"), _form(is_placeholder="on", user=users["member"].pk)
    )
    assert colleague.status_code == 422
    assert set(colleague.context["form"].errors) == {"is_placeholder"}
    equipment = http.post(
        reverse("resources:resource_create"),
        _form(kind="equipment", is_placeholder="on", user=users["member"].pk),
    )
    assert equipment.status_code == 422
    assert "user" in equipment.context["form"].errors
    assert not Resource.objects.exists()


def test_the_edit_form_shows_and_saves_the_fields(signed_in, manager, backend):
    resource = services.create_resource(actor=manager, name="王工", cost_per_use=Decimal("12"))
    http = signed_in("manager")
    url = reverse("resources:resource_edit", args=[resource.pk])
    form = http.get(url).context["form"]
    assert form.initial["cost_per_use"] == Decimal("12") and form.initial["role"] is None
    http.post(url, _form(name="王工", role=backend.pk, cost_per_use="15", version=1))
    resource.refresh_from_db()
    assert (resource.role, resource.cost_per_use, resource.version) == (
        backend,
        Decimal("15"),
        2,
    )


def test_the_list_shows_role_badge_and_cost_per_use_to_managers_only(signed_in, manager, backend):
    services.create_resource(
        actor=manager,
        name="高级后端",
        role=backend,
        is_placeholder=True,
        cost_per_use=Decimal("77.25"),
    )
    url = reverse("resources:resource_list")
    manager_page = signed_in("manager").get(url).content.decode()
    member_page = signed_in("member").get(url).content.decode()
    for page in (manager_page, member_page):
        assert "后端工程师" in page and 'data-testid="generic"' in page
    assert "77.25" in manager_page and "Cost per use" in manager_page
    assert "77.25" not in member_page and "Cost per use" not in member_page


def test_the_list_filters_by_role_and_generic_or_named(signed_in, manager, backend):
    services.create_resource(actor=manager, name="高级后端", role=backend, is_placeholder=True)
    services.create_resource(actor=manager, name="王工", role=backend)
    services.create_resource(actor=manager, name="李工")
    http = signed_in("member")
    url = reverse("resources:resource_list")

    def names(**filters):
        page = http.get(url, filters)
        return [r.name for r in page.context["page"].object_list]

    assert names(role=backend.pk) == ["王工", "高级后端"]
    assert names(placeholder="yes") == ["高级后端"]
    assert names(placeholder="no") == ["李工", "王工"]
    assert names(role=backend.pk, placeholder="no") == ["王工"]
    assert (
        f'<option value="{backend.pk}" selected>'
        in http.get(url, {"role": backend.pk}).content.decode()
    )


def test_the_list_costs_the_same_queries_with_roles(signed_in, manager):
    http = signed_in("member")
    url = reverse("resources:resource_list")

    def queries_with(count):
        for number in range(Resource.objects.count(), count):
            role = needs.create_role(actor=manager, name=f"角色 {number:02}")
            services.create_resource(actor=manager, name=f"资源 {number:02}", role=role)
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    assert queries_with(3) == queries_with(30)


def test_the_detail_and_export_keep_cost_per_use_from_members(signed_in, manager, backend):
    resource = services.create_resource(
        actor=manager,
        name="高级后端",
        role=backend,
        is_placeholder=True,
        cost_per_use=Decimal("66.50"),
    )
    manager_page = signed_in("manager").get(resource.get_absolute_url()).content.decode()
    member_page = signed_in("member").get(resource.get_absolute_url()).content.decode()
    assert 'data-testid="fact-cost-per-use"' in manager_page and "66.50" in manager_page
    assert 'data-testid="fact-cost-per-use"' not in member_page and "66.50" not in member_page
    assert 'data-testid="fact-role"' in member_page and "后端工程师" in member_page
    url = reverse("resources:resource_export")
    manager_csv = signed_in("manager").get(url, {"format": "csv"}).content.decode("utf-8-sig")
    member_csv = signed_in("member").get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Cost per use" in manager_csv and "66.50" in manager_csv
    assert "Cost per use" not in member_csv and "66.50" not in member_csv
    assert "后端工程师" in member_csv


def test_the_api_creates_lists_filters_and_patches_the_fields(signed_in, users, backend):
    http = signed_in("manager")
    created = http.post(
        "/api/v1/resources",
        {
            "name": "高级后端",
            "max_units": 2,
            "role_id": backend.pk,
            "is_placeholder": True,
            "cost_per_use": "80",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["role_id"], body["role_name"], body["is_placeholder"]) == (
        backend.pk,
        "后端工程师",
        True,
    )
    assert Decimal(body["cost_per_use"]) == 80
    http.post("/api/v1/resources", {"name": "李工"}, content_type=JSON)
    listed = http.get("/api/v1/resources", {"role": backend.pk}).json()["items"]
    assert [row["name"] for row in listed] == ["高级后端"]
    named = http.get("/api/v1/resources", {"placeholder": "false"}).json()["items"]
    assert [row["name"] for row in named] == ["李工"]
    url = f"/api/v1/resources/{body['id']}"
    patched = http.patch(
        url,
        {"role_id": None, "cost_per_use": "0"},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["role_id"], Decimal(patched.json()["cost_per_use"])) == (None, 0)


def test_the_api_reports_bad_fields_where_the_request_put_them(signed_in, users, backend):
    http = signed_in("manager")
    unknown = http.post("/api/v1/resources", {"name": "x", "role_id": 999}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "role_id"
    generic = http.post(
        "/api/v1/resources",
        {"name": "x", "is_placeholder": True, "user_id": users["member"].pk},
        content_type=JSON,
    )
    assert generic.status_code == 422
    assert generic.json()["errors"][0]["field"] == "is_placeholder"
    equipment = http.post(
        "/api/v1/resources",
        {"name": "塔吊", "kind": "equipment", "user_id": users["member"].pk},
        content_type=JSON,
    )
    assert equipment.status_code == 422
    assert equipment.json()["errors"][0]["field"] == "user_id"
    assert not Resource.objects.exists()


def test_the_api_keeps_cost_per_use_from_members(signed_in, manager):
    resource = services.create_resource(
        actor=manager, name="塔吊", kind="equipment", cost_per_use=Decimal("500")
    )
    member = signed_in("member")
    one = member.get(f"/api/v1/resources/{resource.pk}").json()
    listed = member.get("/api/v1/resources").json()["items"][0]
    assert one["cost_per_use"] is None and listed["cost_per_use"] is None
    assert one["kind"] == "equipment"
    admin = signed_in("admin").get(f"/api/v1/resources/{resource.pk}").json()
    assert Decimal(admin["cost_per_use"]) == 500
