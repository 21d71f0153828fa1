"""Leveling that may split a task, in a real browser: the manager lets leveling split tasks,
sees the four-day task stopped on the Thursday its person is taken by a review that must start
then, applies, finds the task in two parts on its page and joins them again. In English and in
Chinese.

Made with the services, as the plan would be before: a project from Tuesday 2026-12-01, one
person on a four-day task and on a one-day review that must start on Thursday 3rd.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.crm.models import Client
from charter.planning.adapters import to_aware
from charter.planning.models import Task
from charter.resources.services import pool
from charter.resources.tests.matrix_leveling import add, empty_project, person
from charter.testing.browser import accept_dialogs

pytestmark = pytest.mark.e2e

Screenshot = Callable[..., Path]
MANAGER = str(Role.MANAGER)


@dataclass(frozen=True)
class Run:
    language: str
    person: str
    task: str
    review: str
    parts: str  # the task page's heading of a task in two parts


RUNS = [
    Run("en", "Wang Lei", "Data cleansing", "Requirements review", "Split into 2 parts"),
    Run("zh-hans", "王工", "数据清洗", "需求评审", "分为 2 段"),
]


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.language)
def test_leveling_splits_a_task_and_the_manager_joins_it_again(
    page: Page,
    users: dict[Role, User],
    client_org: Client,
    run: Run,
    screenshot: Screenshot,
    sign_in: Callable[[str], None],
    switch_language: Callable[[str], None],
) -> None:
    manager = users[Role.MANAGER]
    project = empty_project(client_org, manager)
    who = person(manager, run.person)
    long = add(project, manager, run.task, days=4, priority=100)
    review = add(
        project,
        manager,
        run.review,
        days=1,
        constraint_type="MSO",
        constraint_date=to_aware(datetime.datetime(2026, 12, 3)),
    )
    for task in (long, review):
        pool.assign(task, who, actor=manager)
    asked = accept_dialogs(page)
    sign_in(manager.username)
    switch_language(run.language)

    page.goto(reverse("resources:leveling", args=[project.pk]))
    form = page.get_by_test_id("leveling-form")
    form.locator("#id_split").check()
    screenshot(page, MANAGER, run.language, "split-option")
    form.get_by_test_id("leveling-propose").click()
    expect(page).to_have_url(re.compile(r"/leveling/\d+/$"))
    split = page.get_by_test_id("leveling-split")
    expect(split).to_have_count(1)
    expect(page.get_by_test_id("leveling-gantt").get_by_test_id("gantt-segment")).to_have_count(2)
    screenshot(page, MANAGER, run.language, "split-proposal")
    page.get_by_test_id("leveling-apply").click()
    expect(page.get_by_test_id("leveling-apply")).to_have_count(0)

    page.goto(long.get_absolute_url())
    parts = page.get_by_test_id("task-segments")
    expect(parts).to_contain_text(run.parts)
    expect(parts.locator("li")).to_have_count(2)
    screenshot(page, MANAGER, run.language, "split-task")
    page.get_by_test_id("remove-splits").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.get_by_test_id("task-segments")).to_have_count(0)
    assert len(asked) == 2, asked
    assert Task.objects.get(pk=long.pk).pauses == []
