"""Merging contacts loses nothing: values, notes, interactions, stakeholder rows, external ids."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from charter.core.models import AuditEvent
from charter.crm.models import Contact, ExternalId, Interaction
from charter.crm.services.contacts import merge_contacts
from charter.planning.models import Project, Stakeholder
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def project(client, users, code):
    return Project.objects.create(
        name=code,
        code=code,
        client=client,
        manager=users["manager"],
        start_date=datetime.date(2026, 3, 1),
    )


@pytest.fixture
def pair(client_org):
    survivor = ContactFactory(
        client=client_org,
        name="王伟",
        title="CIO",
        email="wang@yunqi.cn",
        mobile="",
        wechat_id="",
        notes="Prefers mornings.",
        decision_role="sponsor",
        influence=5,
    )
    duplicate = ContactFactory(
        client=client_org,
        name="王 伟",
        title="IT Director",
        email="w@old.cn",
        mobile="+8613800138000",
        wechat_id="wangwei",
        department="信息部",
        notes="Met at the expo.",
        decision_role="influencer",
        influence=2,
        interest=5,
    )
    return survivor, duplicate


def test_merge_loses_nothing(users, client_org, pair):
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk
    shared_call = Interaction.objects.create(client=client_org, kind="call", summary="both")
    shared_call.contacts.add(survivor, duplicate)
    their_visit = Interaction.objects.create(client=client_org, kind="visit", summary="theirs")
    their_visit.contacts.add(duplicate)
    both_on = project(client_org, users, "P-1")
    only_theirs = project(client_org, users, "P-2")
    Stakeholder.objects.create(project=both_on, contact=survivor, role="sponsor", influence=5)
    Stakeholder.objects.create(project=both_on, contact=duplicate, role="key_user", influence=1)
    Stakeholder.objects.create(project=only_theirs, contact=duplicate, role="influencer")
    ExternalId.objects.create(record=survivor, system="zoho", external_id="Z-1")
    ExternalId.objects.create(record=duplicate, system="zoho", external_id="Z-2")
    ExternalId.objects.create(record=duplicate, system="fxiaoke", external_id="F-2")

    merged = merge_contacts(survivor, duplicate, actor=users["manager"])

    assert not Contact.objects.filter(pk=duplicate_pk).exists()
    merged.refresh_from_db()
    # Own values kept; empty ones filled; notes joined.
    assert (merged.name, merged.title, merged.email, merged.decision_role, merged.influence) == (
        "王伟",
        "CIO",
        "wang@yunqi.cn",
        "sponsor",
        5,
    )
    assert (merged.mobile, merged.wechat_id, merged.department) == (
        "+8613800138000",
        "wangwei",
        "信息部",
    )
    assert merged.notes == "Prefers mornings.\n\nMet at the expo."
    assert merged.version == 2
    # Every reference moved; a project keeps one stakeholder row, the survivor's.
    assert set(merged.interactions.all()) == {shared_call, their_visit}
    assert shared_call.contacts.count() == 1
    assert sorted(merged.stakes.values_list("project__code", "role")) == [
        ("P-1", "sponsor"),
        ("P-2", "influencer"),
    ]
    ids = ExternalId.objects.filter(object_id=str(merged.pk)).values_list("system", "external_id")
    assert sorted(ids) == [("fxiaoke", "F-2"), ("zoho", "Z-1")]
    assert not ExternalId.objects.filter(object_id=str(duplicate_pk)).exists()
    # The audit event on the survivor holds all of the duplicate, and what had to be dropped.
    event = AuditEvent.objects.for_object(merged).get(action="merged")
    snapshot = event.changes["merged_contact"][1]
    assert snapshot["id"] == duplicate_pk
    assert (snapshot["title"], snapshot["email"], snapshot["influence"], snapshot["interest"]) == (
        "IT Director",
        "w@old.cn",
        2,
        5,
    )
    assert snapshot["interactions"] == sorted([shared_call.pk, their_visit.pk])
    assert snapshot["stakeholder_of_projects"] == sorted([both_on.pk, only_theirs.pk])
    assert snapshot["external_ids"] == ["fxiaoke:F-2", "zoho:Z-2"]
    dropped = event.changes["merge_dropped"][1]
    assert "zoho:Z-2" in dropped
    assert any(row.get("role") == "key_user" for row in dropped if isinstance(row, dict))
    assert event.changes["mobile"] == ["", "+8613800138000"]
    assert event.actor == users["manager"]


def test_merge_is_all_or_nothing(users, pair, monkeypatch):
    survivor, duplicate = pair
    from charter.core import audit

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        merge_contacts(survivor, duplicate, actor=users["manager"])
    assert Contact.objects.filter(pk=duplicate.pk).exists()
    assert Contact.objects.get(pk=survivor.pk).mobile == ""


def test_a_contact_is_not_merged_with_itself(users, pair):
    survivor, _duplicate = pair
    with pytest.raises(ValidationError):
        merge_contacts(survivor, survivor, actor=users["manager"])
    assert Contact.objects.filter(pk=survivor.pk).exists()
