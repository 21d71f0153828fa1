"""Browser fixtures: Debian's chromium driven by Playwright (sync API) against ``live_server``.

Playwright's own browser download is never used: the journeys run the system chromium, which
``.ci/run`` installs with apt-get.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test.utils import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from charter.testing.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def live_server(request) -> Iterator[LiveServer]:
    """pytest-django's live server, started with a MEDIA_URL path.

    Django's live server wraps the site in a media-file handler that needs MEDIA_URL to be a
    path; Charter sets none on purpose (attachments are served only through a permission
    check), so the handler gets a prefix no page links to.
    """
    address = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(MEDIA_URL="/-/e2e-no-public-media/"):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    # Sync Playwright runs an event loop in this thread; the tests' own ORM calls are still
    # plain synchronous code, so Django's async-safety guard would only get in the way. Set
    # for the browser's lifetime only, so the rest of the suite keeps the guard.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh browser context (no cookies) whose page fails the test on any script error."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    script_errors: list[str] = []
    failed_assets: list[str] = []

    def on_response(response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            failed_assets.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on("response", on_response)
    yield page
    context.close()
    assert script_errors == [], "JavaScript errors on the page"
    assert failed_assets == [], "static assets that did not load"


@pytest.fixture
def sign_in(page: Page) -> Callable[[str], None]:
    """``sign_in(username)`` through the sign-in form; lands on the dashboard."""

    def go(username: str) -> None:
        page.goto(reverse("accounts:login"))
        form = page.locator("form:has(#id_password)")
        form.locator("#id_username").fill(username)
        form.locator("#id_password").fill(PASSWORD)
        form.locator('button[type="submit"]').click()
        expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))

    return go


@pytest.fixture
def switch_language(page: Page) -> Callable[[str], None]:
    """``switch_language("zh-hans")`` with the switcher in the page header; waits for the reload."""

    def switch(language: str) -> None:
        button = page.get_by_test_id("language-switcher").locator(f'button[value="{language}"]')
        button.click()
        # The locator is lazy: after the reload it finds the button on the new page.
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(button).to_have_attribute("aria-pressed", "true")

    return switch


# Icons are <use href="sprite.svg#tabler-NAME">; a name missing from the vendored sprite draws
# nothing, silently (scripts/vendor-icons rebuilds the sprite with the names templates use).
MISSING_ICONS_JS = """async () => {
    const sprites = {};
    const missing = new Set();
    for (const use of document.querySelectorAll("svg use")) {
        const [url, id] = use.getAttribute("href").split("#");
        sprites[url] ??= await (await fetch(url)).text();
        if (!sprites[url].includes(`id="${id}"`)) missing.add(id);
    }
    return [...missing].sort();
}"""


@pytest.fixture
def screenshot(request):
    """``screenshot(page, role, lang, step)`` checks that every icon on the page exists and
    saves a full-page PNG as ``screenshots/<test>[.<step>]-<role>-<lang>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def shoot(page, role: str, lang: str, step: str = "") -> Path:
        test = request.node.originalname.removeprefix("test_") + (f".{step}" if step else "")
        path = SCREENSHOTS / f"{test}-{role}-{lang}.png"
        page.screenshot(path=str(path), full_page=True)
        assert page.evaluate(MISSING_ICONS_JS) == [], (
            f"icons missing from the sprite on {path.name}"
        )
        return path

    return shoot
