"""The ``charter`` subcommands: createadmin in process; migrate, serve and demo as processes."""

import http.cookiejar
import re
import signal
import socket
import sqlite3
import urllib.parse
import urllib.request

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.core.commands import COMMANDS
from charter.core.models import Attachment, AuditEvent
from charter.crm.models import Client
from charter.demo.seed import DEMO_PASSWORD, USERS, seed_demo
from charter.testing.processes import (
    Running,
    charter_env,
    free_port,
    run_charter,
    wait_for_http,
)

STRONG = "Tangerine-Harbour-42"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def createadmin(*args):
    return COMMANDS["createadmin"](list(args))


# --- createadmin ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_createadmin_non_interactive(monkeypatch, capsys):
    monkeypatch.setenv("CHARTER_ADMIN_PASSWORD", STRONG)
    assert createadmin("--username", "root", "--email", "root@example.com", "--name", "王磊") == 0
    user = User.objects.get(username="root")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ADMIN, True, True)
    assert user.check_password(STRONG)
    assert (user.email, user.display_name) == ("root@example.com", "王磊")
    assert AuditEvent.objects.filter(object_id=str(user.pk), action="created").exists()
    assert "“root” created" in capsys.readouterr().out


@pytest.mark.django_db
def test_createadmin_refuses_a_taken_username(monkeypatch, capsys, users):
    monkeypatch.setenv("CHARTER_ADMIN_PASSWORD", STRONG)
    assert createadmin("--username", "manager") == 1
    assert "a user named “manager” already exists" in capsys.readouterr().err
    assert User.objects.get(username="manager").role == Role.MANAGER


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [("", "CHARTER_ADMIN_PASSWORD"), ("12345678", "too common"), ("root", "too short")],
)
def test_createadmin_non_interactive_needs_a_good_password(monkeypatch, capsys, password, message):
    monkeypatch.setenv("CHARTER_ADMIN_PASSWORD", password)
    assert createadmin("--username", "root") == 1
    assert message in capsys.readouterr().err
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createadmin_interactive_asks_until_the_password_is_good(monkeypatch, capsys):
    monkeypatch.delenv("CHARTER_ADMIN_PASSWORD", raising=False)
    answers = iter(["ops", "ops@example.com"])
    secrets = iter(["short", "short", STRONG, "typo", STRONG, STRONG])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(secrets))
    assert createadmin() == 0
    user = User.objects.get(username="ops")
    assert user.role == Role.ADMIN and user.check_password(STRONG)
    errors = capsys.readouterr().err
    assert "too short" in errors and "The two passwords differ" in errors


@pytest.mark.django_db
def test_createadmin_interactive_cancel_writes_nothing(monkeypatch, capsys):
    def cancel(prompt):
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", cancel)
    assert createadmin() == 1
    assert "cancelled" in capsys.readouterr().err
    assert not User.objects.exists()


# --- demo data ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_runs_once_through_the_services(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    assert seed_demo() is True
    counts = (User.objects.count(), Client.objects.count(), AuditEvent.objects.count())
    assert seed_demo() is False
    assert (User.objects.count(), Client.objects.count(), AuditEvent.objects.count()) == counts
    assert {user.role for user in User.objects.all()} == set(Role)
    assert counts[1] >= 4 and counts[2] >= counts[0] + counts[1]
    for spec in USERS:
        assert User.objects.get(username=spec.username).check_password(DEMO_PASSWORD)
    client_user = User.objects.get(username="zhangwei")
    shared = Attachment.objects.for_parent(client_user.client, client_user)
    assert [a.name for a in shared] == ["kickoff-agenda.txt"]
    assert Attachment.objects.filter(client_visible=False).count() == 1
    staff, portal = HttpClient(), HttpClient()
    staff.force_login(User.objects.get(username="wanglei"))
    portal.force_login(client_user)
    assert "云栖科技" in staff.get(reverse("core:dashboard")).content.decode()  # recent activity
    assert "kickoff-agenda.txt" in portal.get(reverse("core:dashboard")).content.decode()


@pytest.mark.django_db
def test_seed_demo_leaves_an_existing_installation_alone(users):
    assert seed_demo() is False
    assert not Client.objects.exclude(name__in=["上海云栖科技有限公司"]).exists()


# --- processes ------------------------------------------------------------------------------


def test_help_and_usage_errors(tmp_path):
    env = charter_env(tmp_path)
    assert "backup FILE" in run_charter("help", env=env).stdout
    result = run_charter("demo", "--port", "99999", env=env)
    assert result.returncode == 2 and "a port is a number" in result.stderr


def test_migrate_creates_the_tables_and_the_cache_table(tmp_path):
    env = charter_env(tmp_path / "fresh")  # the folder does not exist yet
    result = run_charter("migrate", env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "fresh" / "charter.sqlite3") as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
    assert {"charter_cache", "accounts_user", "django_tasks_database_dbtaskresult"} <= tables


def test_serve_runs_gunicorn_with_manifest_static_files(tmp_path):
    env = charter_env(tmp_path)
    assert run_charter("migrate", env=env).returncode == 0
    port = free_port()
    server = Running("serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", env=env)
    try:
        server.wait_for(f"http://127.0.0.1:{port}/")
        page = wait_for_http(f"http://127.0.0.1:{port}/accounts/login/").decode()
        hashed = re.search(r'/static/([\w/.-]+\.[0-9a-f]{12}\.css)"', page)
        assert hashed, "static URLs carry the manifest's content hash"
        assert wait_for_http(f"http://127.0.0.1:{port}/static/{hashed.group(1)}")
        assert server.finish(signal.SIGTERM) == 0
    finally:
        server.kill()
    assert "gunicorn" in server.output.lower()


def post_form(opener, url, fields):
    page = opener.open(url).read().decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page
    token = found.group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
    return opener.open(request).read().decode()


def test_demo_serves_and_its_worker_sends_mail_until_ctrl_c(tmp_path):
    port = free_port()
    env = charter_env(tmp_path, CHARTER_SECRET_KEY=None, CHARTER_HTTPS=None)
    demo = Running("demo", "--port", str(port), env=env)
    try:
        demo.wait_for(f"Charter demo: http://127.0.0.1:{port}/")
        for username in ("wanglei", "lina", "chenjie", "zhangwei"):
            assert re.search(rf"\s{username}\s", demo.output), username
        assert DEMO_PASSWORD in demo.output
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/accounts/login/")
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        post_form(opener, f"{base}/accounts/password/reset/", {"email": "lina@starbridge.example"})
        demo.wait_for("To: lina@starbridge.example")  # printed by the worker's console mailer
        assert demo.finish(signal.SIGINT) == 0  # Ctrl+C; returns once the children are gone
    finally:
        demo.kill()
    assert "Demo data loaded." in demo.output
    with socket.socket() as busy:  # the server cannot start: the demo stops its worker and fails
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        again = run_charter("demo", "--port", str(busy.getsockname()[1]), env=env)
    assert "Using the existing data" in again.stdout
    assert "already in use" in again.stderr
    assert again.returncode == 1


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_terminal_output_follows_the_locale(monkeypatch, environment, language):
    from charter.cli import terminal_language

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert terminal_language() == language
