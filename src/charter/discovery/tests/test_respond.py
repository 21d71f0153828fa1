"""The public answering page: save and continue, submit, duplicates, expiry, bad tokens."""

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from charter.discovery.models import Answer, Invitation, Question, Response
from charter.discovery.services import campaigns as service
from charter.discovery.services.responses import invitation_for_token
from charter.discovery.tests.factories import KANO_FEATURE, sent_campaign

pytestmark = pytest.mark.django_db
EN, ZH = 0, 1


@pytest.fixture
def sent(users, project):
    """An open campaign and its raw tokens: tokens[EN] of Zoe Walker, tokens[ZH] of 陈静."""
    return sent_campaign(project, actor=users["manager"])


def url(token):
    return reverse("discovery:respond", args=[token])


def q(campaign, kind):
    return campaign.questionnaire.questions.get(kind=kind)


def full_answers(campaign):
    """A complete, valid POST of every question."""
    pk = {kind: q(campaign, kind).pk for kind in Question.objects.values_list("kind", flat=True)}
    return {
        f"q{pk['short_text']}": "财务部",
        f"q{pk['long_text']}": "月底结账要加班",
        f"q{pk['single']}": "__other__",
        f"q{pk['single']}_other": "用友",
        f"q{pk['multiple']}": ["电脑", "手机"],
        f"q{pk['rating']}": "4",
        f"q{pk['nps']}": "9",
        f"q{pk['ranking']}_0": "2",
        f"q{pk['ranking']}_1": "1",
        f"q{pk['ranking']}_2": "3",
        f"q{pk['date']}": "2027-03-01",
        f"q{pk['kano']}_0": "like",
        f"q{pk['kano']}_1": "dislike",
    }


def test_the_page_shows_every_kind_of_question_and_notes_the_first_opening(sent):
    campaign, tokens = sent
    response = HttpClient().get(url(tokens[EN]))
    page = response.content.decode()
    assert response.status_code == 200
    # same-origin: no-referrer makes browsers post "Origin: null", which CSRF refuses
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    for question in campaign.questionnaire.questions.all():
        assert f'data-question="{question.pk}"' in page
    assert KANO_FEATURE in page and "I like it that way" in page
    invitation = invitation_for_token(tokens[EN])
    assert invitation.opened_at is not None


def test_the_page_speaks_the_contacts_language(sent):
    _campaign, tokens = sent
    page = HttpClient().get(url(tokens[ZH])).content.decode()
    assert 'lang="zh-hans"' in page
    assert 'lang="en"' in HttpClient().get(url(tokens[EN])).content.decode()


def test_save_and_continue_then_submit(sent):
    campaign, tokens = sent
    http = HttpClient()
    text = q(campaign, "long_text")
    saved = http.post(url(tokens[EN]), {f"q{text.pk}": "审批太慢", "save": "1"})
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.submitted_at is None
    assert response.answers.get().value == "审批太慢"
    resumed = http.get(url(tokens[EN])).content.decode()
    assert "审批太慢" in resumed and "Your answers were saved" in resumed

    done = http.post(
        url(tokens[EN]), {**full_answers(campaign), "submit": "1"}, REMOTE_ADDR="203.0.113.9"
    )
    assert done.status_code == 302
    response.refresh_from_db()
    assert response.submitted_at is not None
    assert response.submitted_ip == "203.0.113.9"
    values = {
        answer.question.kind: answer for answer in response.answers.select_related("question")
    }
    assert values["long_text"].value == "月底结账要加班"
    assert (values["single"].value, values["single"].other_text) == ("__other__", "用友")
    assert values["multiple"].value == ["电脑", "手机"]
    assert (values["rating"].value, values["nps"].value) == (4, 9)
    assert values["ranking"].value == ["质量", "价格", "交付"]
    assert values["date"].value == "2027-03-01"
    assert values["kano"].value == {"functional": "like", "dysfunctional": "dislike"}
    thanks = http.get(url(tokens[EN]))
    assert thanks.status_code == 200
    assert "Thank you for your answers!" in thanks.content.decode()


def test_submit_needs_the_required_questions(sent):
    campaign, tokens = sent
    required = q(campaign, "short_text")
    answers = {key: value for key, value in full_answers(campaign).items()}
    del answers[f"q{required.pk}"]
    response = HttpClient().post(url(tokens[EN]), {**answers, "submit": "1"})
    assert response.status_code == 422
    assert "This question needs an answer." in response.content.decode()
    assert not Response.objects.filter(submitted_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("ranking", {"_0": "1", "_1": "1", "_2": "2"}, "Give each option a different rank"),
        ("single", {"": "__other__"}, "Say what “other” means."),
    ],
)
def test_malformed_answers_are_explained(sent, field, values, message):
    campaign, tokens = sent
    pk = q(campaign, field).pk
    data = {f"q{pk}{suffix}": value for suffix, value in values.items()}
    response = HttpClient().post(url(tokens[EN]), {**data, "save": "1"})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Answer.objects.exists()


def test_half_a_kano_pair_can_be_saved_but_not_submitted(sent):
    campaign, tokens = sent
    kano = q(campaign, "kano")
    http = HttpClient()
    assert http.post(url(tokens[EN]), {f"q{kano.pk}_0": "like", "save": "1"}).status_code == 302
    assert Answer.objects.get(question=kano).value == {"functional": "like", "dysfunctional": None}
    answers = {**full_answers(campaign), f"q{kano.pk}_1": ""}
    response = http.post(url(tokens[EN]), {**answers, "submit": "1"})
    assert response.status_code == 422
    assert "Answer both halves of the question." in response.content.decode()
    assert not Response.objects.filter(submitted_at__isnull=False).exists()


def test_a_second_submit_stores_nothing_twice(sent):
    campaign, tokens = sent
    http = HttpClient()
    assert http.post(url(tokens[EN]), {**full_answers(campaign), "submit": "1"}).status_code == 302
    count = Answer.objects.count()
    again = http.post(url(tokens[EN]), {**full_answers(campaign), "submit": "1"})
    assert again.status_code == 409
    assert "You already answered on" in again.content.decode()
    later_save = http.post(url(tokens[EN]), {f"q{q(campaign, 'long_text').pk}": "改", "save": "1"})
    assert later_save.status_code == 409
    assert Answer.objects.count() == count
    assert Response.objects.count() == 1


@pytest.mark.parametrize("how", ["link", "campaign", "closed"])
def test_an_expired_or_closed_link_answers_410_with_the_senders_name(sent, users, how):
    campaign, tokens = sent
    past = timezone.now() - datetime.timedelta(minutes=1)
    if how == "link":
        Invitation.objects.filter(campaign=campaign).update(expires_at=past)
    elif how == "campaign":
        type(campaign).objects.filter(pk=campaign.pk).update(expires_at=past)
    else:
        service.close_campaign(campaign, actor=users["manager"])
    http = HttpClient()
    response = http.get(url(tokens[EN]))
    assert response.status_code == 410
    assert users["manager"].get_full_name() in response.content.decode()
    post = http.post(url(tokens[EN]), {**full_answers(campaign), "submit": "1"})
    assert post.status_code == 410
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x"]
)
def test_a_tampered_or_unknown_token_is_404(sent, mangle):
    _campaign, tokens = sent
    response = HttpClient().get(url(mangle(tokens[EN])))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert HttpClient().get(url("a" * 300)).status_code == 404


def test_an_answer_to_a_question_archived_meanwhile_is_ignored_and_named(sent):
    campaign, tokens = sent
    archived = q(campaign, "long_text")
    deleted = q(campaign, "date")
    data = full_answers(campaign)
    Question.objects.filter(pk=archived.pk).update(archived=True)
    deleted.delete()
    http = HttpClient()
    response = http.post(url(tokens[EN]), {**data, "submit": "1"}, follow=True)
    page = response.content.decode()
    assert "were removed from the questionnaire" in page
    assert archived.text in page and "1 deleted question" in page
    stored = Response.objects.get()
    assert stored.submitted_at is not None
    assert not stored.answers.filter(question=archived).exists()
    assert stored.answers.filter(question__kind="kano").exists()


def test_the_preview_renders_the_same_form_read_only(signed_in, sent):
    campaign, _tokens = sent
    url_ = reverse("discovery:questionnaire_preview", args=[campaign.questionnaire.pk])
    response = signed_in("member").get(url_)
    page = response.content.decode()
    assert response.status_code == 200
    assert KANO_FEATURE in page and "disabled" in page
    assert 'data-testid="submit"' not in page
    assert signed_in("client").get(url_).status_code == 403
