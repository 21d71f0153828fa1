"""Each role's first minutes in a real browser: sign in, dashboard, language, 403, sign out."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from charter.accounts.choices import Role
from charter.testing.browser import sign_out
from charter.testing.factories import PASSWORD
from charter.testing.fixtures import ROLES

pytestmark = pytest.mark.e2e

ENGLISH = "en"
CHINESE = "zh-hans"
DASHBOARD = "Dashboard"  # the sidebar's label, 工作台 in Chinese


def sidebar_dashboard(page: Page):
    return page.locator('aside a.nav-link[href="/"] .nav-link-title')


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_journey(page: Page, users, role, screenshot, sign_in, switch_language):
    user = users[role]

    sign_in(user.username)
    expect(sidebar_dashboard(page)).to_be_visible()
    expect(sidebar_dashboard(page)).to_have_text(DASHBOARD)
    expect(page.locator('aside a.nav-link[href="/"]')).to_have_attribute("aria-current", "page")
    expect(page.locator("h2.page-title")).not_to_be_empty()
    expect(page.locator("html")).to_have_attribute("lang", ENGLISH)
    screenshot(page, role, ENGLISH, "dashboard")

    switch_language(CHINESE)
    expect(sidebar_dashboard(page)).to_have_text("工作台")
    screenshot(page, role, CHINESE, "dashboard")

    users_page = reverse("accounts:user_list")
    response = page.goto(users_page)
    if role == Role.ADMIN:
        assert response.status == 200
        expect(page.get_by_test_id("error-403")).to_have_count(0)
        screenshot(page, role, CHINESE, "users")
    else:
        assert response.status == 403
        expect(page.get_by_test_id("error-403")).to_be_visible()
        screenshot(page, role, CHINESE, "forbidden")
        # The switcher works on the error page too and brings the user back to it.
        switch_language(ENGLISH)
        expect(page).to_have_url(re.compile(re.escape(users_page) + "$"))
        expect(page.get_by_test_id("error-403")).to_be_visible()
        expect(sidebar_dashboard(page)).to_have_text(DASHBOARD)
        screenshot(page, role, ENGLISH, "forbidden")

    sign_out(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + r"\?next=/$"))


def test_sign_in_page_language(page: Page, screenshot, switch_language):
    page.goto(reverse("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", ENGLISH)
    screenshot(page, "anonymous", ENGLISH)

    switch_language(CHINESE)
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + "$"))
    expect(page.locator("form:has(#id_password) button[type=submit]")).to_have_text("登录")
    screenshot(page, "anonymous", CHINESE)


def test_wrong_password_keeps_the_user_out(page: Page, users):
    page.goto(reverse("accounts:login"))
    form = page.locator("form:has(#id_password)")
    form.locator("#id_username").fill(users[Role.MEMBER].username)
    form.locator("#id_password").fill(PASSWORD + "-wrong")
    form.locator('button[type="submit"]').click()
    expect(page.locator(".alert-danger")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login"))))
