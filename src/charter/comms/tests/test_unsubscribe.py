"""Unsubscribing: the public page behind the link (GET asks, POST records, one-click from a
mail program without a CSRF token, altered links 404), the team's buttons on a contact's page,
the API, and the scheduler leaving unsubscribed contacts out of non-essential e-mails."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from charter.comms import plan, scheduler, unsubscribe
from charter.comms.models import (
    CommunicationOccurrence,
    ContactOptOut,
    MessageTemplate,
    OccurrenceStatus,
    OptOutSource,
)
from charter.core.models import AuditEvent
from charter.core.tests.test_api import assert_problem
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/u/[^/\s]+/")


@pytest.fixture
def contact(client_org):
    return ContactFactory(client=client_org, name="张伟", language="zh-hans")


def page(contact) -> str:
    return reverse("comms:unsubscribe", kwargs={"token": unsubscribe.token_for(contact)})


# ---- the public page -------------------------------------------------------------------------


def test_the_page_asks_in_the_contacts_language_and_records_nothing(contact):
    response = HttpClient().get(page(contact))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in body  # the contact's language, not the browser's
    assert "云栖科技" in body and 'data-testid="unsubscribe-form"' in body
    assert (response["Cache-Control"], response["Referrer-Policy"]) == ("no-store", "same-origin")
    assert not ContactOptOut.objects.exists()


def test_the_english_page_names_the_sender_and_the_client(client_org):
    contact = ContactFactory(client=client_org, language="en")
    body = HttpClient().get(page(contact)).content.decode()
    assert 'lang="en"' in body
    assert "Stop project update e-mails from Charter about 云栖科技?" in body


def test_the_button_unsubscribes_and_says_whom_to_ask_to_undo_it(client_org):
    contact = ContactFactory(client=client_org, language="en")
    http = HttpClient(enforce_csrf_checks=True)
    form = http.get(page(contact))
    token = form.cookies["csrftoken"].value
    response = http.post(page(contact), {"csrfmiddlewaretoken": token})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="unsubscribed"' in body
    assert "Changed your mind? Ask your project manager" in body
    opt_out = ContactOptOut.objects.get(contact=contact)
    assert (opt_out.source, opt_out.recorded_by) == (OptOutSource.LINK, None)
    event = AuditEvent.objects.for_object(contact).get()
    assert (event.action, event.actor) == ("unsubscribed", None)
    # Again (a second click, a reload): the same answer, nothing new recorded.
    assert http.post(page(contact), {"csrfmiddlewaretoken": token}).status_code == 200
    assert http.get(page(contact)).context["opt_out"] == opt_out
    assert AuditEvent.objects.for_object(contact).count() == 1


def test_one_click_from_a_mail_program_needs_no_csrf_token(contact):
    """RFC 8058: the mail program POSTs List-Unsubscribe=One-Click, no cookie, no token."""
    response = HttpClient(enforce_csrf_checks=True).post(
        page(contact),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert ContactOptOut.objects.get(contact=contact).source == OptOutSource.LINK


def test_an_altered_or_made_up_link_is_a_friendly_404(contact):
    token = unsubscribe.token_for(contact)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (altered, "made-up", f"{contact.pk}"):
        for method in ("get", "post"):
            url = reverse("comms:unsubscribe", kwargs={"token": bad})
            response = getattr(HttpClient(), method)(url)
            assert response.status_code == 404
            assert 'data-testid="unsubscribe-invalid"' in response.content.decode()
    assert not ContactOptOut.objects.exists()


def test_a_link_for_a_deleted_contact_is_a_404(contact):
    url = page(contact)
    contact.delete()
    assert HttpClient().get(url).status_code == 404


# ---- the team's side -------------------------------------------------------------------------


def test_the_contact_page_shows_the_state_and_the_team_records_and_undoes_it(
    contact, signed_in, users
):
    http = signed_in("member")
    detail = reverse("crm:contact_detail", args=[contact.pk])
    body = http.get(detail).content.decode()
    assert 'data-testid="record-unsubscribe"' in body and "unsubscribed-badge" not in body
    response = http.post(reverse("comms:contact_unsubscribe", args=[contact.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    opt_out = ContactOptOut.objects.get(contact=contact)
    assert (opt_out.source, opt_out.recorded_by) == (OptOutSource.STAFF, users["member"])
    body = http.get(detail).content.decode()
    since = timezone.localtime(opt_out.opted_out_at).strftime("%m/%d/%Y")
    assert f"Unsubscribed from non-essential messages since {since} (Recorded by the team)" in body
    assert 'data-testid="resubscribe"' in body and "data-confirm=" in body
    assert http.post(reverse("comms:contact_resubscribe", args=[contact.pk])).status_code == 302
    assert not ContactOptOut.objects.filter(contact=contact).exists()
    actions = list(AuditEvent.objects.for_object(contact).values_list("action", flat=True))
    assert sorted(actions) == ["resubscribed", "unsubscribed"]


def test_the_badge_says_when_the_contact_used_the_link(contact, signed_in):
    unsubscribe.unsubscribe(contact, source=OptOutSource.LINK)
    body = signed_in("manager").get(reverse("crm:contact_detail", args=[contact.pk]))
    assert "(Unsubscribe link)" in body.content.decode()


def test_the_team_buttons_refuse_get_clients_and_unknown_contacts(contact, signed_in):
    url = reverse("comms:contact_unsubscribe", args=[contact.pk])
    assert signed_in("manager").get(url).status_code == 405
    assert signed_in("client").post(url).status_code == 403
    unknown = reverse("comms:contact_unsubscribe", args=[0])
    assert signed_in("manager").post(unknown).status_code == 404
    assert not ContactOptOut.objects.exists()


# ---- the API ---------------------------------------------------------------------------------


def test_the_api_reads_records_and_undoes_an_unsubscribe(contact, signed_in, users):
    http = signed_in("manager")
    url = f"/api/v1/contacts/{contact.pk}/subscription"
    assert http.get(url).json() == {"unsubscribed": False, "since": None, "source": None}
    put = http.put(url, {"unsubscribed": True}, content_type="application/json")
    assert put.status_code == 200
    assert (put.json()["unsubscribed"], put.json()["source"]) == (True, "staff")
    opt_out = ContactOptOut.objects.get(contact=contact)
    assert opt_out.recorded_by == users["manager"]
    since = datetime.datetime.fromisoformat(http.get(url).json()["since"])
    assert abs(since - opt_out.opted_out_at) < datetime.timedelta(milliseconds=1)
    off = http.put(url, {"unsubscribed": False}, content_type="application/json")
    assert off.json() == {"unsubscribed": False, "since": None, "source": None}
    bad = http.put(url, {"unsubscribed": "maybe"}, content_type="application/json")
    assert [error["field"] for error in assert_problem(bad, 422)["errors"]] == ["unsubscribed"]
    assert_problem(http.get("/api/v1/contacts/0/subscription"), 404)


# ---- the scheduler ---------------------------------------------------------------------------


@pytest.fixture
def default_template(db):
    template, _created = MessageTemplate.objects.update_or_create(
        kind="status_report",
        is_default=True,
        defaults={
            "name": "周报",
            "subject_zh": "{{ project }} 项目周报",
            "body_zh": "{{ recipient }}，您好：\n本周进度 {{ progress }}。",
            "subject_en": "{{ project }} weekly report",
            "body_en": "Dear {{ recipient }},\nprogress this week: {{ progress }}.",
        },
    )
    return template


@pytest.fixture
def people(client_org):
    return (
        ContactFactory(client=client_org, name="张伟", language="zh-hans", email="a@example.com"),
        ContactFactory(client=client_org, name="Bob", language="en", email="b@example.com"),
    )


def _report(project, users, contacts, **fields):
    """A one-off status report for tomorrow 09:00 (a day off or not), e-mailed to contacts."""
    fields = {
        "kind": "status_report",
        "channel": "email",
        "content": "项目周报",
        "rule": "",
        "starts_on": timezone.localdate() + datetime.timedelta(days=1),
        "send_time": datetime.time(9, 0),
        "shift": "keep",
        "essential": False,
        "owner": users["manager"],
        **fields,
    }
    return plan.create_item(project, actor=users["manager"], contacts=contacts, **fields)


def _run(item, django_capture_on_commit_callbacks):
    """The scheduler's tick just after the item fell due; the e-mails go out on commit."""
    now = item.next_due_at + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.run_due(now=now) == 1
    return CommunicationOccurrence.objects.get(item=item)


def test_an_unsubscribed_contact_is_left_out_of_a_non_essential_email(
    project, users, people, default_template, django_capture_on_commit_callbacks
):
    a, b = people
    unsubscribe.unsubscribe(b, source=OptOutSource.LINK)
    item = _report(project, users, [a, b])
    row = _run(item, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [[a.email]]
    assert row.status == OccurrenceStatus.SENT
    assert row.outcome == "1 e-mail queued. 1 contact unsubscribed and was left out."
    [message] = mail.outbox
    assert message.subject == f"{project.name} 项目周报"  # A reads Chinese
    assert message.reply_to == [users["manager"].email]
    [link] = LINK.findall(message.body)  # the footer's link, A's own
    assert unsubscribe.contact_for(urlsplit(link).path.split("/")[2]) == a
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_essential_email_reaches_unsubscribed_contacts_without_a_footer(
    project, users, people, default_template, django_capture_on_commit_callbacks
):
    a, b = people
    unsubscribe.unsubscribe(b, source=OptOutSource.LINK)
    item = _report(project, users, [a, b], essential=True)
    row = _run(item, django_capture_on_commit_callbacks)
    sent = {tuple(message.to): message for message in mail.outbox}
    assert set(sent) == {(a.email,), (b.email,)}
    assert row.outcome == "2 e-mails queued."
    assert sent[(a.email,)].subject == f"{project.name} 项目周报"
    assert sent[(b.email,)].subject == f"{project.name} weekly report"  # B reads English
    assert sent[(b.email,)].body.startswith("Dear Bob,")
    for message in sent.values():
        assert not LINK.search(message.body) and "List-Unsubscribe" not in message.extra_headers


def test_each_contacts_email_carries_a_working_link_of_their_own(
    project, users, people, default_template, django_capture_on_commit_callbacks
):
    a, b = people
    item = _report(project, users, [a, b])
    _run(item, django_capture_on_commit_callbacks)
    sent = {message.to[0]: message for message in mail.outbox}
    english = sent[b.email]
    assert "Fewer e-mails? Unsubscribe from project updates:" in english.body  # the footer
    assert english.body.startswith("Dear Bob,")
    [html] = [content for content, mime in english.alternatives if mime == "text/html"]
    assert "Fewer e-mails?" in html
    for contact in (a, b):
        message = sent[contact.email]
        [link] = LINK.findall(message.body)
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        path = urlsplit(link).path
        http = HttpClient()
        assert http.get(path).status_code == 200
        assert not ContactOptOut.objects.filter(contact=contact).exists()
        assert http.post(path).status_code == 200
        assert ContactOptOut.objects.get(contact=contact).source == OptOutSource.LINK
    assert ContactOptOut.objects.count() == 2
