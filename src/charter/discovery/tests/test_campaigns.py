"""Campaign services: create, send, remind, new link, close, edit."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.core.tokens import digest
from charter.discovery.models import Invitation, Response
from charter.discovery.services import campaigns as service
from charter.discovery.services.responses import GivenAnswer, invitation_for_token, save_response
from charter.discovery.tests.factories import (
    BASE_URL,
    make_campaign,
    make_questionnaire,
    sent_campaign,
    token_of,
)
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_campaign_is_created_as_a_draft_with_one_invitation_per_contact(users, project):
    contacts = [ContactFactory(client=project.client) for _ in range(2)]
    campaign = make_campaign(project, actor=users["member"], contacts=[*contacts, contacts[0]])
    assert campaign.status == "draft"
    assert campaign.expires_at > timezone.now() + datetime.timedelta(days=13)
    assert sorted(campaign.invitations.values_list("contact_id", flat=True)) == sorted(
        contact.pk for contact in contacts
    )
    assert AuditEvent.objects.filter(action="created", object_id=str(campaign.pk)).exists()
    assert not mail.outbox


def test_contacts_of_another_client_and_templates_are_refused(users, project, other_client_org):
    with pytest.raises(ValidationError) as error:
        make_campaign(
            project, actor=users["member"], contacts=[ContactFactory(client=other_client_org)]
        )
    assert "contacts" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_campaign(
            project,
            actor=users["member"],
            questionnaire=make_questionnaire(is_template=True),
        )
    assert "questionnaire" in error.value.message_dict


def test_send_mails_each_contact_in_their_language_and_stores_only_hashes(users, project):
    zh = ContactFactory(client=project.client, language="zh-hans", email="li@example.com")
    en = ContactFactory(client=project.client, language="en", email="ann@example.com")
    wechat_only = ContactFactory(client=project.client, email="")
    campaign = make_campaign(project, actor=users["manager"], contacts=[zh, en, wechat_only])
    links = service.send_campaign(campaign, actor=users["manager"], base_url=BASE_URL)
    assert len(links) == 3
    campaign.refresh_from_db()
    assert (campaign.status, campaign.version) == ("open", 2)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"li@example.com", "ann@example.com"}
    # The expiry date is formatted in the contact's language: 2026年12月15日 vs Dec. 15, 2026.
    assert "年" in by_address["li@example.com"].body
    assert "年" not in by_address["ann@example.com"].body
    assert "Questionnaire" in by_address["ann@example.com"].subject
    for link in links:
        invitation = Invitation.objects.get(pk=link.invitation.pk)
        raw = token_of(link)
        assert invitation.token_hash == digest(raw) != raw
        assert invitation.sent_at is not None
        if link.emailed:
            assert link.url in by_address[invitation.contact.email].body
    assert not any(link.emailed for link in links if link.invitation.contact == wechat_only)
    event = AuditEvent.objects.get(action="campaign_sent")
    assert event.changes["status"] == ["draft", "open"]
    assert not any(token_of(link) in str(event.changes) for link in links)


def test_a_campaign_is_sent_once(users, project):
    campaign, _tokens = sent_campaign(project, actor=users["manager"])
    with pytest.raises(ValidationError):
        service.send_campaign(campaign, actor=users["manager"], base_url=BASE_URL)


def test_remind_only_unanswered_invitees_with_email_and_a_valid_link(users, project):
    waiting = ContactFactory(client=project.client, email="wait@example.com")
    answered = ContactFactory(client=project.client, email="done@example.com")
    no_email = ContactFactory(client=project.client, email="")
    expired = ContactFactory(client=project.client, email="late@example.com")
    campaign, _ = sent_campaign(
        project, actor=users["manager"], contacts=[waiting, answered, no_email, expired]
    )
    invitations = {inv.contact_id: inv for inv in campaign.invitations.all()}
    Response.objects.create(invitation=invitations[answered.pk], submitted_at=timezone.now())
    Invitation.objects.filter(pk=invitations[expired.pk].pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    mail.outbox.clear()
    link = invitations[waiting.pk].link(BASE_URL)

    assert service.remind_campaign(campaign, actor=users["manager"], base_url=BASE_URL) == 1

    assert [message.to for message in mail.outbox] == [["wait@example.com"]]
    assert link in mail.outbox[0].body  # the link the contact already has keeps working
    reminded = Invitation.objects.get(pk=invitations[waiting.pk].pk)
    assert (reminded.reminder_count, reminded.reminded_at is not None) == (1, True)
    assert reminded.link(BASE_URL) == link
    assert Invitation.objects.get(pk=invitations[no_email.pk].pk).reminder_count == 0
    assert AuditEvent.objects.get(action="campaign_reminded").changes == {"reminded": 1}


def test_a_new_link_invalidates_the_old_one_and_keeps_saved_answers(users, project):
    campaign, tokens = sent_campaign(project, actor=users["manager"])
    invitation = invitation_for_token(tokens[0])
    questionnaire = campaign.questionnaire
    question = questionnaire.questions.get(kind="long_text")
    save_response(invitation, answers={question.pk: GivenAnswer("审批太慢")}, submit=False)

    link = service.resend_link(invitation, actor=users["member"], base_url=BASE_URL)

    assert invitation_for_token(tokens[0]) is None
    renewed = invitation_for_token(token_of(link))
    assert renewed.pk == invitation.pk
    assert renewed.response.answers.get().value == "审批太慢"
    assert AuditEvent.objects.filter(action="link_reissued").exists()


def test_no_new_link_after_submitting_or_closing(users, project):
    campaign, tokens = sent_campaign(project, actor=users["manager"])
    invitation = invitation_for_token(tokens[0])
    Response.objects.create(invitation=invitation, submitted_at=timezone.now())
    with pytest.raises(ValidationError):
        service.resend_link(invitation, actor=users["member"], base_url=BASE_URL)
    service.close_campaign(campaign, actor=users["member"])
    other = invitation_for_token(tokens[1])
    with pytest.raises(ValidationError):
        service.resend_link(other, actor=users["member"], base_url=BASE_URL)
    with pytest.raises(ValidationError):
        service.remind_campaign(campaign, actor=users["member"], base_url=BASE_URL)
    with pytest.raises(ValidationError):
        service.close_campaign(campaign, actor=users["member"])
    assert AuditEvent.objects.filter(action="campaign_closed").count() == 1


def test_editing_the_expiry_moves_unanswered_links_and_is_versioned(users, project):
    campaign, _ = sent_campaign(project, actor=users["manager"])
    later = timezone.now() + datetime.timedelta(days=30)
    service.update_campaign(
        campaign, actor=users["member"], expected_version=campaign.version, expires_at=later
    )
    assert set(campaign.invitations.values_list("expires_at", flat=True)) == {later}
    event = AuditEvent.objects.filter(action="updated", object_id=str(campaign.pk)).get()
    assert "expires_at" in event.changes
    with pytest.raises(StaleEdit):
        service.update_campaign(campaign, actor=users["member"], expected_version=1, name="旧")
    with pytest.raises(ValidationError):
        service.update_campaign(
            campaign,
            actor=users["member"],
            expected_version=campaign.version,
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )


def test_the_demo_campaign_has_answers_and_a_kano_table(users, project):
    from charter.demo.discovery_campaigns import seed_campaign
    from charter.demo.discovery_questionnaires import seed_questionnaire_templates
    from charter.discovery.services.responses import campaign_results

    assert seed_campaign(project, actor=users["manager"]) is None  # no template yet
    seed_questionnaire_templates(actor=users["manager"])
    ContactFactory.create_batch(3, client=project.client)
    campaign = seed_campaign(project, actor=users["manager"])
    results = campaign_results(campaign)
    assert campaign.status == "open"
    assert results.submitted == 3
    assert results.kano_rows and all(row.kano.answers == 3 for row in results.kano_rows)
