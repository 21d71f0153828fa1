import datetime

import pytest
from django.utils import timezone

from charter.discovery.models import Finding, FocusGroup, Interview, RequirementsDocument
from charter.discovery.services.carry import carry_discovery
from charter.discovery.services.findings import record_finding
from charter.discovery.tests.factories import make_requirement
from charter.planning.services.conversion import run_conversion
from charter.planning.tests.factories import START, make_project, make_template, won_deal


def _convert(deal, users):
    return run_conversion(
        deal,
        actor=users["manager"],
        template=make_template(),
        manager=users["manager"],
        start_date=START,
    ).project


def _discovery_on(deal):
    held = timezone.now() - datetime.timedelta(days=3)
    interview = Interview.objects.create(opportunity=deal, title="访谈：财务总监", held_at=held)
    group = FocusGroup.objects.create(opportunity=deal, title="移动办公", held_at=held)
    record_finding(deal, source=interview, text="审批要能在手机上完成", actor=None)
    RequirementsDocument.objects.create(opportunity=deal, title="需求文档")
    return interview, group


@pytest.mark.django_db
def test_conversion_moves_the_deals_discovery_into_the_project(users, client_org):
    deal = won_deal(client_org)
    make_requirement(deal)
    interview, group = _discovery_on(deal)
    project = _convert(deal, users)
    interview.refresh_from_db()
    group.refresh_from_db()
    assert (interview.project, interview.opportunity, interview.version) == (project, None, 2)
    assert group.project == project
    assert Finding.objects.get().project == project
    assert RequirementsDocument.objects.get().project == project
    assert project.requirements.get().code == "REQ-001"


@pytest.mark.django_db
def test_a_project_with_a_document_keeps_it_and_the_deal_keeps_its_own(users, client_org):
    deal = won_deal(client_org)
    _discovery_on(deal)
    project = make_project(client_org, manager=users["manager"])
    RequirementsDocument.objects.create(project=project, title="项目的需求文档")
    moved = carry_discovery(deal, project, actor=users["manager"])
    assert moved == {"requirements": [], "interview": 1, "focusgroup": 1, "finding": 1}
    assert RequirementsDocument.objects.get(opportunity=deal).title == "需求文档"
