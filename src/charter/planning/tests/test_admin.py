"""The back office lists and opens projects, templates and communication plan items."""

import pytest
from django.urls import reverse

from charter.planning.tests.factories import make_project


@pytest.mark.django_db
def test_the_back_office_opens_planning_records(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])
    item = project.communications.first()
    admin = signed_in("admin")
    for url in (
        reverse("admin:planning_project_changelist"),
        reverse("admin:planning_project_change", args=[project.pk]),
        reverse("admin:planning_projecttemplate_changelist"),
        reverse("admin:planning_projecttemplate_change", args=[project.template_id]),
        reverse("admin:comms_communicationitem_changelist"),
        reverse("admin:comms_communicationitem_change", args=[item.pk]),
    ):
        assert admin.get(url).status_code == 200, url
    assert admin.get(reverse("admin:planning_project_add")).status_code == 403
