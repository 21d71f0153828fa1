"""Helpers the browser journeys share (Playwright pages, typed loosely so this module imports
without Playwright)."""

import re
from typing import Any

from django.urls import reverse

from charter.planning.models import Project, Task


def accept_dialogs(page: Any) -> list[str]:
    """Accept every confirm() on the page; the messages, to check one was asked."""
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def sign_out(page: Any) -> None:
    """Sign out through the user menu; lands on the sign-in page."""
    from playwright.sync_api import expect

    page.get_by_test_id("user-menu").click()
    page.locator(f'form[action="{reverse("accounts:logout")}"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + "$"))


def task_named(project: Project, name: str) -> Task:
    """The task of ``project`` called ``name`` (as the journey typed it)."""
    return Task.objects.get(project=project, name=name)
