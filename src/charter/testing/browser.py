"""Helpers the browser journeys share (Playwright pages, typed loosely so this module imports
without Playwright)."""

from typing import Any


def accept_dialogs(page: Any) -> list[str]:
    """Accept every confirm() on the page; the messages, to check one was asked."""
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked
