"""A change request from the client, through the pages: the manager opens the project's
"Change requests" tab, raises one for a client contact on a confirmed requirement, approves it
with a note, sees the requirement marked changed, and finds the request in the traceability
matrix. In English and in Chinese."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.changes.models import ChangeRequest
from charter.crm.models import Client
from charter.discovery.choices import RequirementStatus
from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import make_project
from charter.testing.browser import accept_dialogs
from charter.testing.factories import ContactFactory

pytestmark = pytest.mark.e2e

Screenshot = Callable[..., Path]


@dataclass(frozen=True)
class Run:
    language: str
    title: str
    requirement: str
    contact: str
    note: str


RUNS = [
    Run("en", "Add a third bank", "Bank reconciliation", "Emma Clarke", "+5 days"),
    Run("zh-hans", "银行对账增加招商银行", "银行对账", "张伟", "增加 5 个工作日"),
]


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.language)
def test_a_change_request_from_raise_to_traceability(
    page: Page,
    users: dict[Role, User],
    client_org: Client,
    run: Run,
    screenshot: Screenshot,
    sign_in: Callable[[str], None],
    switch_language: Callable[[str], None],
) -> None:
    manager = users[Role.MANAGER]
    project = make_project(client_org, manager=manager)
    requirement = make_requirement(
        project, actor=manager, title=run.requirement, status=RequirementStatus.CONFIRMED
    )
    ContactFactory(client=client_org, name=run.contact)
    asked = accept_dialogs(page)
    sign_in(manager.username)
    switch_language(run.language)

    page.goto(reverse("planning:plan", args=[project.pk]))
    page.get_by_test_id("plan-tabs").locator('a[data-tab-group="changes"]').click()
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_test_id("add-change-request").first.click()
    form = page.get_by_test_id("change-form")
    form.locator("#id_title").fill(run.title)
    form.locator("#id_reason").fill(run.note)
    form.locator("#id_requested_by").select_option(label=run.contact)
    form.locator("#id_requirements").select_option(label=f"{requirement.code} {requirement.title}")
    form.locator("button[type=submit]").last.click()

    change = ChangeRequest.objects.get(project=project)
    expect(page).to_have_url(re.compile(re.escape(change.get_absolute_url()) + "$"))
    expect(page.get_by_test_id("status").first).to_have_attribute("data-status", "proposed")
    screenshot(page, "manager", run.language, "raised")

    decide = page.get_by_test_id("decide-form")
    decide.locator("textarea").fill(run.note)
    decide.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status").first).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("decision-note")).to_contain_text(run.note)
    with translation.override(run.language):
        changed = str(RequirementStatus.CHANGED.label)
    expect(page.get_by_test_id("requirement-status")).to_have_text(changed)
    assert len(asked) == 1 and change.code in asked[0]
    screenshot(page, "manager", run.language, "approved")
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.CHANGED

    page.goto(reverse("discovery:project_traceability", args=[project.pk]))
    row = page.locator("tr").filter(has_text=requirement.code)
    expect(row.get_by_role("link", name=change.code)).to_be_visible()
    screenshot(page, "manager", run.language, "traceability")
