"""pytest fixtures for every app: one user per role, and clients signed in as them."""

import importlib

import pytest
from django.test import Client as HttpClient
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from charter.accounts.choices import Role
from charter.testing.factories import ClientFactory, UserFactory

# Tests assert no timings: Hypothesis' per-example deadline would be one (and a busy CI machine
# would trip it), so the whole suite runs without it.
hypothesis_settings.register_profile("charter", deadline=None)
hypothesis_settings.load_profile("charter")

ROLES = [Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.CLIENT]


@pytest.fixture
def db(db):
    """pytest-django's ``db``, plus the rows our data migrations write (pipeline stages,
    default message templates): tests with ``transactional_db`` (live server, backups) flush
    them away for later tests."""
    from django.apps import apps

    importlib.import_module("charter.crm.migrations.0004_default_stages").create_default_stages(
        apps, None
    )
    importlib.import_module(
        "charter.comms.migrations.0007_default_message_templates"
    ).create_default_templates(apps, None)


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: requests leave their language active in the thread."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def client_org(db):
    return ClientFactory(name="上海云栖科技有限公司", short_name="云栖科技")


@pytest.fixture
def other_client_org(db):
    return ClientFactory(name="Northwind Trading Ltd", short_name="Northwind")


@pytest.fixture
def users(db, client_org):
    """One user per role; the client user belongs to ``client_org``."""
    return {
        role: UserFactory(
            username=str(role), role=role, client=client_org if role == Role.CLIENT else None
        )
        for role in ROLES
    }


@pytest.fixture
def admin_user(users):
    return users[Role.ADMIN]


@pytest.fixture
def signed_in(users):
    """``signed_in(role)`` → a Django test client signed in as that role's user."""

    def make(role):
        http = HttpClient()
        if role != "anonymous":
            http.force_login(users[role])
        return http

    return make


@pytest.fixture
def manager(users):
    """The project manager of ``users``."""
    return users[Role.MANAGER]


@pytest.fixture
def project(users, client_org):
    """A project of ``client_org`` converted from a won deal (the test template's plan in it),
    managed by the manager, with the member on its team."""
    from charter.planning.tests.factories import make_project

    project = make_project(client_org, manager=users["manager"])
    project.members.add(users["member"])
    return project


@pytest.fixture
def empty_project(client_org, manager):
    """A project of ``client_org`` managed by ``manager``, its plan emptied (for imports)."""
    from charter.planning.models import Task
    from charter.planning.tests.factories import make_project

    project = make_project(client_org, manager=manager)
    Task.objects.filter(project=project).delete()
    return project
