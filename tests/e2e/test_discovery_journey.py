"""Issue 4's journey in a real browser: a questionnaire with a Kano pair → a campaign to two
contacts → both answer through their personal links (no sign-in, one on a phone) → the Kano
table → a requirement made from it → the requirements document published, sent and confirmed by
the contact → a later edit published as version 2, and the diff between the two.

Only the data the journey starts from (the project, its client's contacts) is made with the ORM;
everything else goes through the pages. The contacts' links are read from the page that shows
them once, and checked against the e-mails the live server sent (same process: the test
settings' locmem outbox and immediate tasks are shared with the server thread).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from charter.accounts.choices import Role
from charter.discovery.models import DocumentVersion, Requirement
from charter.planning.tests.factories import make_project
from charter.testing.browser import accept_dialogs
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.e2e

MANAGER = str(Role.MANAGER)
CONTACT = "contact"
PHONE = {"width": 390, "height": 844}

QUESTIONNAIRE = "Approval workflow needs"
FEATURE = "mobile approvals"
FUNCTIONAL = f"If the system has {FEATURE}, how do you feel?"
DYSFUNCTIONAL = f"If the system does NOT have {FEATURE}, how do you feel?"
OPEN_QUESTION = "What slows your approvals down today?"
CAMPAIGN = "Approval survey, spring"
BACKGROUND_V1 = "Purchase approvals go through paper forms signed in the head office."
BACKGROUND_V2 = (
    "Purchase approvals go through e-mail and are signed in the head office and in two branches."
)


@dataclass(frozen=True)
class Respondent:
    name: str
    email: str
    language: str
    functional: str  # KanoAnswer values
    dysfunctional: str
    text: str


# Alice: like it / neutral without → attractive. Bob: expects it / dislikes missing it →
# must-be. One each: the tie goes to must-be (discovery.kano.TIE_ORDER). Bob reads Chinese, so
# his page is in Chinese although the questionnaire is English.
ALICE = Respondent(
    "Alice Chen", "alice@example.com", "en", "like", "neutral", "Paper forms wait for signatures."
)
BOB = Respondent(
    "Bob Li", "bob@example.com", "zh-hans", "expect", "dislike", "Managers travel a lot."
)
KANO_LABELS = {
    "like": "I like it that way",
    "expect": "It must be that way",
    "neutral": "I am neutral",
    "dislike": "I dislike it that way",
}


@pytest.fixture
def guest(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """``guest(viewport=…)`` → a page in a NEW browser context (no session, no cookies), as a
    contact opening a link; like ``page``, it fails the test on script errors or missing
    static files."""
    contexts = []
    script_errors: list[str] = []
    failed_assets: list[str] = []

    def on_response(response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            failed_assets.append(f"{response.status} {response.url}")

    def open_page(viewport: dict | None = None, locale: str = "en-US") -> Page:
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 800},
            locale=locale,
            base_url=live_server.url,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        context.on("page", watch)
        return context.new_page()

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        page.on("response", on_response)
        accept_dialogs(page)

    yield open_page
    for context in contexts:
        context.close()
    assert script_errors == [], "JavaScript errors on a contact's page"
    assert failed_assets == [], "static assets that did not load on a contact's page"


def pk_in_url(page: Page, name: str) -> int:
    """Wait for the browser to be on a ``name`` page (any query); the object's pk."""
    path = re.escape(reverse(name, args=[999999])).replace("999999", r"(\d+)")
    pattern = re.compile(path + r"(\?.*)?$")
    expect(page).to_have_url(pattern)
    return int(pattern.search(page.url).group(1))


def tab(page: Page, label: str) -> Locator:
    return page.get_by_test_id("discovery-tabs").get_by_role("link", name=label)


# ---- 1. the questionnaire ------------------------------------------------------------------


def build_questionnaire(page: Page, screenshot) -> int:
    page.goto(reverse("discovery:questionnaire_list"))
    page.get_by_test_id("add-questionnaire").click()
    form = page.get_by_test_id("questionnaire-form")
    form.locator("#id_title").fill(QUESTIONNAIRE)
    form.locator("#id_language").select_option("en")
    form.locator('button[type="submit"]').click()
    questionnaire_id = pk_in_url(page, "discovery:questionnaire_detail")
    expect(page.locator("h2.page-title")).to_contain_text(QUESTIONNAIRE)

    page.get_by_test_id("add-question").click()
    form = page.get_by_test_id("question-form")
    form.locator("#id_kind").select_option("kano")
    expect(form.locator("#id_options")).to_be_hidden()  # only the Kano fields show
    form.locator("#id_kano_feature").fill(FEATURE)
    # The builder words the pair from the feature, in the questionnaire's language.
    expect(form.locator("#id_text")).to_have_value(FUNCTIONAL)
    expect(form.locator("#id_dysfunctional_text")).to_have_value(DYSFUNCTIONAL)
    form.get_by_label("Required").check()
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("builder")).to_contain_text(FEATURE)

    page.get_by_test_id("add-question").click()
    form = page.get_by_test_id("question-form")
    form.locator("#id_kind").select_option("long_text")
    expect(form.locator("#id_kano_feature")).to_be_hidden()
    form.locator("#id_text").fill(OPEN_QUESTION)
    form.locator('button[type="submit"]').click()
    builder = page.get_by_test_id("builder")
    expect(builder).to_contain_text(OPEN_QUESTION)
    expect(builder.locator(".list-group-item")).to_have_count(2)
    screenshot(page, MANAGER, "en", "builder")
    return questionnaire_id


# ---- 2. the campaign -----------------------------------------------------------------------


def send_campaign(page: Page, project_id: int, questionnaire_id: int, mailoutbox, screenshot):
    """From the project's page to its Questionnaires tab, a campaign to both contacts, sent;
    the personal links by contact name, as the page shows them after sending."""
    page.goto(reverse("planning:project_detail", args=[project_id]))
    card = page.get_by_test_id("discovery-card")
    card.get_by_role("link", name="Open the requirement register").click()
    tab(page, "Questionnaires").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("discovery:project_campaigns", args=[project_id])))
    )
    page.get_by_test_id("add-campaign").click()

    form = page.get_by_test_id("campaign-form")
    form.locator("#id_name").fill(CAMPAIGN)
    form.locator("#id_questionnaire").select_option(str(questionnaire_id))
    for person in (ALICE, BOB):
        choice = form.locator("label.form-selectgroup-item", has_text=person.name)
        expect(choice).to_contain_text(person.email)
        choice.click()
        expect(choice.locator("input")).to_be_checked()
    form.locator('button[type="submit"]').click()
    pk_in_url(page, "discovery:campaign_detail")
    invitations = page.get_by_test_id("invitation-table").locator("tbody tr")
    expect(invitations).to_have_count(2)

    asked = accept_dialogs(page)
    page.get_by_test_id("send").click()
    expect(page.locator("h2.page-title")).to_contain_text(CAMPAIGN)
    assert asked == ["Send personal links to 2 contacts now?"]
    rows = page.get_by_test_id("link-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    links = {}
    for person in (ALICE, BOB):
        row = rows.filter(has_text=person.name)
        expect(row).to_contain_text(f"E-mailed to {person.email}")
        links[person.name] = row.get_by_test_id("personal-link").input_value()
        assert re.search(r"/q/[^/]+/$", links[person.name]), links[person.name]
    assert links[ALICE.name] != links[BOB.name]
    screenshot(page, MANAGER, "en", "links")

    mails = {message.to[0]: message for message in mailoutbox}
    assert sorted(mails) == sorted([ALICE.email, BOB.email])
    for person in (ALICE, BOB):
        assert links[person.name] in mails[person.email].body
    return links


# ---- 3. the contacts answer ----------------------------------------------------------------


def kano_half(page: Page, text: str) -> Locator:
    return page.get_by_role("radiogroup", name=text)


def choose(group: Locator, value: str) -> None:
    """Tick one answer of a Kano half by its value (the label is in the contact's language)."""
    option = group.locator(
        "label.form-selectgroup-item", has=group.page.locator(f'input[value="{value}"]')
    )
    option.click()
    expect(option.locator("input")).to_be_checked()


def answer_as_alice(guest, link: str, screenshot) -> None:
    """On a phone: answer the Kano pair, save and come back, finish, submit; a second submit from a
    page left open is refused and nothing changes."""
    page = guest(viewport=PHONE)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(QUESTIONNAIRE)
    # The top of a page taller than the phone's screen must be reachable (not cut off above).
    expect(heading, "the page's top is cut off above the screen").to_be_in_viewport()
    expect(page.get_by_text(f"For {ALICE.name}")).to_be_visible()
    for text, answer in ((FUNCTIONAL, ALICE.functional), (DYSFUNCTIONAL, ALICE.dysfunctional)):
        half = kano_half(page, text)
        half.get_by_text(KANO_LABELS[answer], exact=True).click()
        expect(half.locator(f'input[value="{answer}"]')).to_be_checked()
    page.get_by_test_id("save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Your answers were saved. Open the same link again to continue."
    )

    page.goto(link)  # later, from the e-mail again: the saved pair is back
    for text, answer in ((FUNCTIONAL, ALICE.functional), (DYSFUNCTIONAL, ALICE.dysfunctional)):
        expect(kano_half(page, text).locator(f'input[value="{answer}"]')).to_be_checked()
    expect(page.get_by_role("textbox", name=OPEN_QUESTION)).to_have_value("")
    page.get_by_role("textbox", name=OPEN_QUESTION).fill(ALICE.text)
    screenshot(page, CONTACT, "en", "respond-phone")

    stale = page.context.new_page()  # the same link left open in a second tab
    stale.goto(link)
    expect(stale.get_by_test_id("respond-form")).to_be_visible()

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("answered")).to_contain_text("Thank you for your answers!")
    screenshot(page, CONTACT, "en", "answered-phone")

    choose(kano_half(stale, FUNCTIONAL), "dislike")
    choose(kano_half(stale, DYSFUNCTIONAL), "like")
    with stale.expect_response(lambda response: response.request.method == "POST") as posted:
        stale.get_by_test_id("submit").click()
    assert posted.value.status == 409
    expect(stale.get_by_test_id("answered")).to_contain_text("You already answered on")

    response = page.goto(link)  # the link now only thanks
    assert response.status == 200
    expect(page.get_by_test_id("answered")).to_be_visible()
    expect(page.get_by_test_id("respond-form")).to_have_count(0)


def answer_as_bob(guest, link: str, screenshot) -> None:
    """Bob's page is in his language (Chinese); he answers in one go with a form error first."""
    page = guest()
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTIONNAIRE)
    # The Kano pair is required: submitting without it is refused, with the question marked.
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator('fieldset[data-kind="kano"]')).to_have_attribute("aria-invalid", "true")
    choose(kano_half(page, FUNCTIONAL), BOB.functional)
    choose(kano_half(page, DYSFUNCTIONAL), BOB.dysfunctional)
    page.get_by_role("textbox", name=OPEN_QUESTION).fill(BOB.text)
    screenshot(page, CONTACT, "zh-hans", "respond")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("answered")).to_be_visible()


def tampered(link: str) -> str:
    """The link with the last character of its token changed."""
    match = re.search(r"/q/([^/]+)/$", link)
    token = match.group(1)
    return f"{link[: match.start(1)]}{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/"


def open_tampered_link(guest, link: str, screenshot) -> None:
    page = guest()
    response = page.goto(tampered(link))
    assert response.status == 404
    expect(page.get_by_test_id("invalid")).to_contain_text("This link is not valid")
    screenshot(page, CONTACT, "en", "invalid-link")


# ---- 4. results → requirement --------------------------------------------------------------


def check_results(page: Page, screenshot) -> None:
    page.goto(page.url)  # the campaign page, now with answers
    page.get_by_test_id("results").click()
    pk_in_url(page, "discovery:campaign_results")
    rate = page.get_by_test_id("response-rate")
    expect(rate).to_contain_text("100%")
    expect(rate).to_contain_text("2 of 2 invited contacts submitted their answers.")

    row = page.get_by_test_id("kano-table").locator("tbody tr", has_text=FEATURE)
    expect(row).to_have_count(1)
    # A O M I R Q: one attractive (Alice), one must-be (Bob).
    expect(row.locator("td.text-end").nth(0)).to_have_text("1")
    expect(row.locator("td.text-end").nth(2)).to_have_text("1")
    expect(row.get_by_test_id("kano-result")).to_have_text("Must-be")
    texts = page.get_by_test_id("text-answers")
    expect(texts).to_contain_text(ALICE.text)
    expect(texts).to_contain_text(BOB.text)
    screenshot(page, MANAGER, "en", "results")


def make_requirement(page: Page, project_id: int) -> str:
    """“Make requirement” on the Kano row → the new requirement's form → its page, which links
    back to the questionnaire results. The requirement's code."""
    row = page.get_by_test_id("kano-table").locator("tbody tr", has_text=FEATURE)
    row.get_by_test_id("make-requirement").click()
    requirement_id = pk_in_url(page, "discovery:requirement_edit")
    requirement = Requirement.objects.get(pk=requirement_id)
    assert requirement.project_id == project_id
    code = requirement.code
    assert re.fullmatch(r"REQ-\d{3}", code), code
    expect(page.locator(".alert")).to_contain_text(
        [f"{code} was created from Questionnaire results"]
    )
    form = page.get_by_test_id("requirement-form")
    expect(form.locator("#id_title")).to_have_value(re.compile(re.escape(FEATURE)))
    form.locator('button[type="submit"]').click()
    pk_in_url(page, "discovery:requirement_detail")
    expect(page.locator("h2.page-title")).to_contain_text(code)
    sources = page.get_by_test_id("requirement-sources")
    source = sources.get_by_role("link", name=re.compile(r"^Questionnaire results · "))
    expect(source).to_contain_text(FUNCTIONAL)
    expect(source).to_have_attribute("href", re.compile(r"/questionnaires/\d+/$"))
    return code


# ---- 5. the document, confirmed --------------------------------------------------------------


def edit_background(page: Page, text: str, confirmer: str | None = None) -> None:
    page.get_by_test_id("edit-document").click()
    form = page.get_by_test_id("document-form")
    form.locator("#id_background").fill(text)
    if confirmer:
        choice = form.locator("label.form-check", has_text=confirmer).locator("input")
        choice.check()
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("document-status")).to_be_visible()
    expect(page.get_by_test_id("document-form")).to_have_count(0)


def publish(page: Page, note: str) -> tuple[int, str]:
    """Publish the draft from the document page; (version number, content hash) as shown."""
    page.get_by_test_id("publish").click()
    form = page.get_by_test_id("publish-form")
    form.locator("#id_note").fill(note)
    form.locator('button[type="submit"]').click()
    version_id = pk_in_url(page, "discovery:document_version")
    number = DocumentVersion.objects.get(pk=version_id).number
    expect(page.locator("h2.page-title")).to_contain_text(f"v{number}")
    content_hash = page.get_by_test_id("content-hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash), content_hash
    return number, content_hash


def write_and_publish_document(page: Page, code: str) -> str:
    """From the requirement's page: the register, then its Requirements document tab."""
    page.get_by_role("link", name="All requirements").click()
    expect(page.locator(".page-body")).to_contain_text(code)
    tab(page, "Requirements document").click()
    start = page.get_by_test_id("start-document")
    start.locator("#id_language").select_option("en")
    start.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("state")).to_have_text("Draft")
    expect(page.locator("main, .page-body").first).to_contain_text(code)

    edit_background(page, BACKGROUND_V1, confirmer=ALICE.name)
    expect(page.get_by_test_id("document-status")).to_contain_text(ALICE.name)
    number, content_hash = publish(page, "First version for the client")
    assert number == 1
    return content_hash


def send_for_confirmation(page: Page, mailoutbox) -> str:
    """From the v1 page: send it to Alice (the required confirmer, preselected); her link."""
    mails_before = len(mailoutbox)
    page.get_by_test_id("send").click()
    form = page.get_by_test_id("send-form")
    alice = form.locator("label.form-check", has_text=ALICE.name).locator("input")
    expect(alice).to_be_checked()
    expect(form.locator("label.form-check", has_text=BOB.name).locator("input")).not_to_be_checked()
    form.locator('button[type="submit"]').click()
    rows = page.get_by_test_id("links").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(ALICE.name)
    link = rows.locator("input").input_value()
    assert re.search(r"/d/[^/]+/$", link), link
    assert len(mailoutbox) == mails_before + 1
    assert mailoutbox[-1].to == [ALICE.email]
    assert link in mailoutbox[-1].body
    return link


def confirm_as_alice(guest, link: str, content_hash: str, screenshot) -> None:
    page = guest()
    page.goto(link)
    # The document is taller than the screen: its top must still be reachable.
    expect(page.get_by_test_id("content-hash"), "the page's top is cut off").to_be_in_viewport()
    expect(page.get_by_test_id("content-hash")).to_have_text(content_hash)
    expect(page.get_by_test_id("section-background")).to_contain_text(BACKGROUND_V1)
    page.get_by_test_id("section-requirements").locator("textarea").fill("Fine for us.")
    screenshot(page, CONTACT, "en", "confirm")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("decision")).to_contain_text("You confirmed this version.")
    expect(page.get_by_test_id("decide")).to_have_count(0)
    # Confirming again from the same link changes nothing.
    page.reload()
    expect(page.get_by_test_id("decision")).to_be_visible()


def check_confirmed(page: Page, project_id: int, screenshot) -> None:
    page.goto(reverse("discovery:project_document", args=[project_id]))
    expect(page.get_by_test_id("state")).to_have_text("Confirmed v1")
    expect(page.get_by_test_id("confirmed-by")).to_contain_text(ALICE.name)
    expect(page.get_by_test_id("waiting-for")).to_have_count(0)
    expect(page.get_by_test_id("versions").locator("tbody tr")).to_contain_text(["1 / 1"])
    screenshot(page, MANAGER, "en", "document-confirmed")


# ---- 6. version 2 and the diff ---------------------------------------------------------------


def publish_v2_and_compare(page: Page, v1_hash: str, screenshot) -> None:
    edit_background(page, BACKGROUND_V2)
    expect(page.get_by_test_id("draft-differs")).to_contain_text("The draft differs from v1.")
    number, v2_hash = publish(page, "Branches added to the background")
    assert number == 2
    assert v2_hash != v1_hash

    page.get_by_role("link", name="Changes since v1").click()
    pk_in_url(page, "discovery:document_diff")
    background = page.get_by_test_id("diff-background")
    expect(background.locator("ins.diff-ins")).not_to_have_count(0)
    expect(background.locator("ins.diff-ins").first).to_be_visible()
    inserted = " ".join(background.locator("ins.diff-ins").all_inner_texts())
    assert "e-mail" in inserted and "branches" in inserted, inserted
    deleted = " ".join(background.locator("del.diff-del").all_inner_texts())
    assert "paper" in deleted, deleted
    expect(page.get_by_test_id("diff-goals")).to_contain_text("No changes")
    screenshot(page, MANAGER, "en", "diff")


def check_v1_unchanged(page: Page, project_id: int, v1_hash: str) -> None:
    page.goto(reverse("discovery:project_document", args=[project_id]))
    expect(page.get_by_test_id("state")).to_have_text("Published v2")
    page.get_by_test_id("versions").get_by_role("link", name="v1", exact=True).click()
    pk_in_url(page, "discovery:document_version")
    expect(page.get_by_test_id("content-hash")).to_have_text(v1_hash)
    expect(page.get_by_test_id("newer-version")).to_contain_text("v2")
    expect(page.locator(".page-body")).to_contain_text(BACKGROUND_V1)
    expect(page.locator(".page-body")).not_to_contain_text("two branches")
    expect(page.get_by_test_id("confirmations")).to_contain_text(ALICE.name)
    expect(page.get_by_test_id("confirmations")).to_contain_text("Confirmed")


# ---- the journey -----------------------------------------------------------------------------


def test_questionnaire_to_confirmed_document(
    page: Page, users, client_org, guest, mailoutbox, screenshot, sign_in, switch_language
):
    manager = users[Role.MANAGER]
    project = make_project(client_org, manager=manager)
    for person in (ALICE, BOB):
        ContactFactory(
            client=client_org, name=person.name, email=person.email, language=person.language
        )
    mailoutbox.clear()

    sign_in(manager.username)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    questionnaire_id = build_questionnaire(page, screenshot)
    links = send_campaign(page, project.pk, questionnaire_id, mailoutbox, screenshot)
    campaign_url = page.get_by_role("link", name="Done").get_attribute("href")

    answer_as_alice(guest, links[ALICE.name], screenshot)
    answer_as_bob(guest, links[BOB.name], screenshot)
    open_tampered_link(guest, links[ALICE.name], screenshot)

    page.goto(campaign_url)
    check_results(page, screenshot)
    code = make_requirement(page, project.pk)

    v1_hash = write_and_publish_document(page, code)
    confirm_link = send_for_confirmation(page, mailoutbox)
    confirm_as_alice(guest, confirm_link, v1_hash, screenshot)
    check_confirmed(page, project.pk, screenshot)

    publish_v2_and_compare(page, v1_hash, screenshot)
    check_v1_unchanged(page, project.pk, v1_hash)

    # The Chinese pass: the same pages with the manager's language switched.
    page.goto(campaign_url)
    page.get_by_test_id("results").click()
    switch_language("zh-hans")
    expect(page.get_by_test_id("kano-table")).to_contain_text(FEATURE)
    screenshot(page, MANAGER, "zh-hans", "results")
    page.goto(reverse("discovery:project_document", args=[project.pk]))
    expect(page.get_by_test_id("document-status")).to_be_visible()
    screenshot(page, MANAGER, "zh-hans", "document")
    page.get_by_test_id("versions").get_by_role("link", name="v2", exact=True).click()
    page.get_by_role("link", name=re.compile("v1")).last.click()
    expect(page.get_by_test_id("diff-background")).to_be_visible()
    screenshot(page, MANAGER, "zh-hans", "diff")
