import datetime

import pytest
from django.utils import timezone

from charter.discovery.models import Interview
from charter.discovery.services.findings import record_finding
from charter.discovery.services.summary import discovery_summary
from charter.discovery.tests.factories import answer_all, make_requirement, sent_campaign
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_summary_counts_what_discovery_has(users, project, django_assert_max_num_queries):
    make_requirement(project, status="confirmed")
    make_requirement(project, latent_need=True, latent_evidence="周末加班整理日报")
    interview = Interview.objects.create(
        project=project, title="访谈", held_at=timezone.now() - datetime.timedelta(days=1)
    )
    record_finding(project, source=interview, text="审批要能在手机上完成", actor=None)
    contacts = [ContactFactory(client=project.client, email=f"c{i}@example.com") for i in (1, 2)]
    campaign, tokens = sent_campaign(project, actor=users["manager"], contacts=contacts)
    answer_all(campaign, tokens[:1])
    with django_assert_max_num_queries(8):
        summary = discovery_summary(project)
    assert summary.requirements == {"confirmed": 1, "proposed": 1}
    assert summary.status_counts == [("proposed", "Proposed", 1), ("confirmed", "Confirmed", 1)]
    assert (summary.latent, summary.findings_waiting, summary.interviews) == (1, 1, 1)
    assert (summary.invited, summary.answered, summary.response_rate) == (2, 1, 50)
    assert summary.document is None and summary.focus_groups == 0


def test_the_project_page_shows_the_discovery_card(signed_in, project):
    make_requirement(project)
    page = signed_in("member").get(project.get_absolute_url()).content.decode()
    assert 'data-testid="discovery-card"' in page
    assert "No questionnaire sent yet." in page and "Not started." in page
