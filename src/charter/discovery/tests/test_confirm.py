"""The contact's personal link: read a version, comment per section, confirm or request
changes; duplicates, expired and altered links."""

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from charter.discovery.choices import Decision
from charter.discovery.models import ConfirmationRequest, SectionComment
from charter.discovery.services import documents as services
from charter.discovery.tests.factories import (
    make_document,
    make_requirement,
    sent_campaign,
    sent_request,
)
from charter.planning.tests.factories import make_project


@pytest.fixture
def version(users, client_org):
    project = make_project(client_org, manager=users["manager"])
    make_requirement(project, title="审批流", acceptance_criteria="三级审批")
    document = make_document(project, actor=users["manager"])
    return services.publish_document(document, actor=users["manager"])


def link(token):
    return reverse("discovery:confirm", args=[token])


@pytest.mark.django_db
def test_the_link_shows_the_version_in_the_contacts_language(version):
    request, token = sent_request(version, language="en")
    response = HttpClient().get(link(token))
    body = response.content.decode()
    assert response.status_code == 200
    assert "客户希望统一主数据。" in body and "三级审批" in body
    assert version.content_hash in body
    assert "Confirm this version" in body  # the UI in the contact's language
    assert 'name="comment_background"' in body
    assert (response["Cache-Control"], response["Referrer-Policy"]) == ("no-store", "same-origin")
    request.refresh_from_db()
    assert request.opened_at is not None


@pytest.mark.django_db
def test_confirm_records_decision_ip_hash_and_comments(version):
    request, token = sent_request(version)
    response = HttpClient(REMOTE_ADDR="198.51.100.7").post(
        link(token),
        {
            "decision": "confirmed",
            "content_hash": version.content_hash,
            "comment_goals": "目标清楚",
        },
    )
    assert response.status_code == 200
    assert 'data-testid="decision"' in response.content.decode()
    request.refresh_from_db()
    assert request.decision == Decision.CONFIRMED
    assert (request.decided_ip, request.decided_hash) == ("198.51.100.7", version.content_hash)
    assert request.decided_at is not None
    assert list(request.comments.values_list("section", "body")) == [("goals", "目标清楚")]


@pytest.mark.django_db
def test_request_changes_needs_a_message(version):
    request, token = sent_request(version, language="en")
    http = HttpClient()
    data = {"decision": "changes_requested", "content_hash": version.content_hash}
    response = http.post(link(token), data)
    assert response.status_code == 422
    assert "Tell us what should change." in response.content.decode()
    response = http.post(link(token), data | {"message": "请补充接口说明"})
    assert response.status_code == 200
    request.refresh_from_db()
    assert (request.decision, request.message) == (Decision.CHANGES_REQUESTED, "请补充接口说明")


@pytest.mark.django_db
def test_a_second_answer_stores_nothing(version):
    request, token = sent_request(version, language="en")
    http = HttpClient()
    data = {"decision": "confirmed", "content_hash": version.content_hash, "comment_goals": "好"}
    assert http.post(link(token), data).status_code == 200
    response = http.post(link(token), data | {"decision": "changes_requested", "message": "x"})
    assert response.status_code == 409
    assert "You confirmed this version." in response.content.decode()
    request.refresh_from_db()
    assert request.decision == Decision.CONFIRMED and request.message == ""
    assert SectionComment.objects.count() == 1
    assert http.get(link(token)).status_code == 200  # still readable, with the decision


@pytest.mark.django_db
def test_a_hash_that_does_not_match_is_refused(version):
    request, token = sent_request(version, language="en")
    response = HttpClient().post(link(token), {"decision": "confirmed", "content_hash": "f" * 64})
    assert response.status_code == 422
    assert "The document changed while you were reading it." in response.content.decode()
    request.refresh_from_db()
    assert request.decision == Decision.PENDING


@pytest.mark.django_db
def test_an_expired_link_answers_410(version):
    request, token = sent_request(version, language="en")
    ConfirmationRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    http = HttpClient()
    assert http.get(link(token)).status_code == 410
    data = {"decision": "confirmed", "content_hash": version.content_hash}
    response = http.post(link(token), data)
    assert response.status_code == 410 and "This link has expired" in response.content.decode()
    request.refresh_from_db()
    assert request.decision == Decision.PENDING


@pytest.mark.django_db
def test_an_unknown_or_altered_token_answers_404(version):
    _request, token = sent_request(version)
    http = HttpClient()
    for bad in ("not-a-token", token[:-1] + ("A" if token[-1] != "A" else "B")):
        response = http.get(link(bad))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    assert http.post(link("nope"), {"decision": "confirmed"}).status_code == 404


@pytest.mark.django_db
def test_an_older_versions_link_shows_that_version_and_says_a_newer_exists(version, users):
    _request, token = sent_request(version, language="en")
    document = version.document
    services.update_document(
        document, actor=None, expected_version=document.version, background="第二版背景"
    )
    services.publish_document(document, actor=users["manager"])
    body = HttpClient().get(link(token)).content.decode()
    assert "客户希望统一主数据。" in body and "第二版背景" not in body
    assert 'data-testid="newer-version"' in body and "v2" in body


@pytest.mark.django_db
def test_forwarded_for_is_ignored_unless_behind_a_trusted_proxy(version, settings):
    data = {"decision": "confirmed", "content_hash": version.content_hash}
    request, token = sent_request(version)
    HttpClient(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4").post(link(token), data)
    request.refresh_from_db()
    assert request.decided_ip == "10.0.0.5"

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request, token = sent_request(version)
    HttpClient(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.5").post(
        link(token), data
    )
    request.refresh_from_db()
    assert request.decided_ip == "1.2.3.4"


@pytest.mark.django_db
def test_a_token_opens_only_what_it_was_made_for(version, users):
    """A questionnaire link's token does not open a document, nor the other way round, even
    for the same contact: each kind of link has its own key and its own table."""
    request, document_token = sent_request(version)
    _campaign, (questionnaire_token,) = sent_campaign(
        version.document.parent, actor=users["manager"], contacts=[request.contact]
    )
    assert (
        HttpClient().get(reverse("discovery:respond", args=[questionnaire_token])).status_code
        == 200
    )
    assert HttpClient().get(link(questionnaire_token)).status_code == 404
    assert HttpClient().get(reverse("discovery:respond", args=[document_token])).status_code == 404
    assert HttpClient().get(link(document_token)).status_code == 200
