"""The project's tab strip: four groups on the first row, the active group's pages on the
second; who sees the budget sees "Budget", who only records expenses sees "Expenses"."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _strip(html: str) -> str:
    match = re.search(r'<nav class="mb-3" data-testid="plan-tabs".*?</nav>', html, re.S)
    assert match, "no tab strip"
    return match.group(0)


def _groups(strip: str) -> list[tuple[str, bool]]:
    return [
        (group, " active" in classes)
        for classes, group in re.findall(
            r'class="nav-link([^"]*)" href="[^"]*" data-tab-group="(\w+)"', strip
        )
    ]


def _pages(strip: str) -> list[str]:
    pills = strip.split('class="nav nav-pills', 1)
    return (
        re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', pills[1]) if len(pills) == 2 else []
    )


def test_the_active_group_lists_its_pages(signed_in, project):
    strip = _strip(
        signed_in("manager").get(reverse("resources:leveling", args=[project.pk])).content.decode()
    )
    assert _groups(strip) == [
        ("planning", False),
        ("resources", True),
        ("raid", False),
        ("changes", False),
        ("communication", False),
    ]
    assert _pages(strip) == [
        reverse("resources:project_needs", args=[project.pk]),
        reverse("resources:leveling", args=[project.pk]),
        reverse("resources:project_budget", args=[project.pk]),
    ]
    assert re.search(r'class="nav-link py-1 active" href="[^"]*/leveling/"', strip)


def test_a_single_page_group_has_no_second_row(signed_in, project):
    strip = _strip(
        signed_in("manager").get(reverse("planning:raid", args=[project.pk])).content.decode()
    )
    assert ("raid", True) in _groups(strip)
    assert _pages(strip) == []


def test_members_get_their_expenses_instead_of_the_budget(signed_in, project):
    http = signed_in("member")
    strip = _strip(http.get(reverse("resources:project_needs", args=[project.pk])).content.decode())
    assert reverse("resources:project_expenses", args=[project.pk]) in _pages(strip)
    assert reverse("resources:project_budget", args=[project.pk]) not in strip


def test_the_strip_speaks_chinese(signed_in, users, project):
    users["manager"].language = "zh-hans"
    users["manager"].save(update_fields=["language"])
    html = signed_in("manager").get(reverse("planning:plan", args=[project.pk])).content.decode()
    strip = _strip(html)
    assert "资源与预算" in strip and "沟通" in strip and "基准" in strip
