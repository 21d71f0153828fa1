import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from charter.discovery.models import Requirement
from charter.planning.tests.factories import make_project
from charter.testing.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def _row(**fields):
    return Requirement(number=1, code="REQ-001", title="单点登录", **fields)


def test_a_requirement_needs_exactly_one_parent(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    deal = OpportunityFactory(client=client_org)
    for parents in ({}, {"project": project, "opportunity": deal}):
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(**parents).save()
    _row(project=project).save()
    _row(opportunity=deal).save()
    assert Requirement.objects.count() == 2


def test_a_code_is_unique_within_its_parent(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    _row(project=project).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(project=project).save()
    _row(opportunity=OpportunityFactory(client=client_org)).save()  # same code, other parent


def test_a_latent_need_needs_its_evidence(client_org):
    row = _row(opportunity=OpportunityFactory(client=client_org), latent_need=True)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "latent_evidence" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_value_and_effort_are_one_to_five(client_org):
    row = _row(opportunity=OpportunityFactory(client=client_org), value=6, effort=0)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert {"value", "effort"} <= set(error.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
