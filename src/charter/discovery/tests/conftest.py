import pytest

from charter.planning.tests.factories import make_project


@pytest.fixture
def project(users, client_org):
    """A project of the client, managed by the manager, with the member on its team."""
    project = make_project(client_org, manager=users["manager"])
    project.members.add(users["member"])
    return project
