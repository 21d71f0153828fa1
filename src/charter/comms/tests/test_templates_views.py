import pytest
from django.urls import reverse

from charter.comms.models import CommunicationItem, MessageTemplate
from charter.comms.tests.matrix_templates import WORDS, make_template, seed_defaults
from charter.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("comms:template_list")
CREATE = reverse("comms:template_create")
PREVIEW = reverse("comms:template_preview")


@pytest.fixture(autouse=True)
def defaults(db):
    seed_defaults()


def _form(**fields):
    return {"name": "客户高层周报", "kind": "status_report", **WORDS, **fields}


def test_the_list_groups_by_type_and_marks_the_default(signed_in):
    make_template(name="客户高层周报")
    page = signed_in("manager").get(LIST).content.decode()
    status_reports = page.split('data-testid="template-group-status_report"')[1].split(
        'data-testid="template-group-meeting"'
    )[0]
    assert "客户高层周报" in status_reports and "项目进展报告 / Status report" in status_reports
    assert status_reports.count('data-testid="default-badge"') == 1
    assert 'data-testid="make-default"' in status_reports
    assert reverse("comms:template_create") + "?kind=status_report" in status_reports
    assert 'data-testid="add-template"' in page


def test_members_see_the_list_without_the_buttons_and_may_not_edit(signed_in):
    template = make_template()
    http = signed_in("member")
    page = http.get(LIST).content.decode()
    assert template.name in page
    for testid in ("add-template", "make-default"):
        assert f'data-testid="{testid}"' not in page
    assert reverse("comms:template_edit", args=[template.pk]) not in page
    assert reverse("comms:template_delete", args=[template.pk]) not in page
    assert http.get(reverse("comms:template_edit", args=[template.pk])).status_code == 403
    edit = http.post(reverse("comms:template_edit", args=[template.pk]), _form(version=1))
    assert edit.status_code == 403
    assert http.post(CREATE, _form()).status_code == 403
    assert http.post(reverse("comms:template_delete", args=[template.pk])).status_code == 403
    assert MessageTemplate.objects.get(pk=template.pk).name == template.name


def test_the_empty_list_says_what_templates_are_for(signed_in):
    CommunicationItem.objects.all().delete()
    MessageTemplate.objects.all().delete()
    page = signed_in("manager").get(LIST).content.decode()
    assert "No message templates yet." in page
    assert f'href="{CREATE}"' in page


def test_the_list_costs_a_constant_number_of_queries(signed_in, django_assert_max_num_queries):
    http = signed_in("member")
    with django_assert_max_num_queries(20) as few:
        http.get(LIST)
    for index in range(6):
        make_template(name=f"模板 {index}", kind=["custom", "meeting"][index % 2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = http.get(LIST).content.decode()
    assert "模板 5" in page


def test_create_a_default_template_undefaults_the_previous(signed_in):
    http = signed_in("manager")
    page = http.get(CREATE + "?kind=meeting").content.decode()
    assert '<option value="meeting" selected>' in page
    assert 'data-testid="template-variables"' in page and "{{ top_risks }}" in page
    response = http.post(CREATE, _form(is_default="on"))
    assert response.status_code == 302 and response["Location"] == LIST
    created = MessageTemplate.objects.get(name="客户高层周报")
    assert created.is_default and created.created_by.username == "manager"
    defaults = MessageTemplate.objects.filter(kind="status_report", is_default=True)
    assert list(defaults) == [created]


def test_field_errors_show_on_their_field(signed_in):
    response = signed_in("manager").post(
        CREATE, _form(body_en="Progress: {{ progres }}", subject_zh="{% if %}")
    )
    assert response.status_code == 422
    page = response.content.decode()
    body_error = page.split('id="id_body_en_error"')[1].split("</div>")[0]
    assert "Unknown variables: progres." in body_error
    subject_error = page.split('id="id_subject_zh_error"')[1].split("</div>")[0]
    assert "This template cannot be read" in subject_error
    assert not MessageTemplate.objects.filter(name="客户高层周报").exists()


def test_edit_then_a_stale_save_is_refused(signed_in):
    template = make_template()
    url = reverse("comms:template_edit", args=[template.pk])
    http = signed_in("manager")
    page = http.get(url).content.decode()
    assert 'name="version" value="1"' in page and "【{{ project }}】项目周报" in page
    response = http.post(url, _form(name="改过的周报", version=1))
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.version) == ("改过的周报", 2)
    stale = http.post(url, _form(name="另一个人的修改", version=1))
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.content.decode()
    template.refresh_from_db()
    assert template.name == "改过的周报"


def test_the_preview_fills_in_the_chosen_projects_facts(project, signed_in):
    response = signed_in("member").post(
        PREVIEW, {**WORDS, "preview_project": project.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page  # the partial only
    chinese = page.split('data-testid="preview-zh"')[1].split('data-testid="preview-en"')[0]
    assert f"【{project.name}】项目周报" in chinese
    english = page.split('data-testid="preview-en"')[1]
    assert f"{project.name}: weekly report" in english
    assert f'href="http://127.0.0.1:8000/projects/{project.pk}/client-view/"' in english


def test_the_preview_shows_sample_values_and_each_languages_error(project, signed_in):
    stranger = UserFactory(username="stranger", role="member")  # sees no project
    http = signed_in("manager")
    http.force_login(stranger)
    words = {**WORDS, "body_zh": "{{ 进度 }}", "preview_project": project.pk}
    page = http.post(PREVIEW, words).content.decode()
    chinese = page.split('data-testid="preview-zh"')[1].split('data-testid="preview-en"')[0]
    assert "Unknown variables: 进度." in chinese
    english = page.split('data-testid="preview-en"')[1]
    assert "Sample project: weekly report" in english and project.name not in page


def test_the_form_page_wires_the_live_preview(project, signed_in):
    page = signed_in("manager").get(CREATE).content.decode()
    assert f'hx-post="{PREVIEW}"' in page
    assert f'<option value="{project.pk}">{project}</option>' in page
    assert "Write the subject and the text to see them filled in." in page


def test_make_default_from_the_list(signed_in):
    template = make_template(kind="custom")
    response = signed_in("manager").post(reverse("comms:template_default", args=[template.pk]))
    assert response.status_code == 302
    assert list(MessageTemplate.objects.filter(kind="custom", is_default=True)) == [template]


def test_delete_asks_for_confirmation_then_deletes(signed_in):
    template = make_template()
    url = reverse("comms:template_delete", args=[template.pk])
    http = signed_in("manager")
    page = http.get(url).content.decode()
    assert "This cannot be undone." in page and 'type="submit"' in page
    assert MessageTemplate.objects.filter(pk=template.pk).exists()
    response = http.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not MessageTemplate.objects.filter(pk=template.pk).exists()


def test_delete_is_refused_while_plan_items_use_it(project, signed_in):
    template = make_template(kind="custom")
    CommunicationItem.objects.filter(project=project).update(template=template)
    url = reverse("comms:template_delete", args=[template.pk])
    http = signed_in("manager")
    page = http.get(url).content.decode()
    users = page.split('data-testid="template-users"')[1]
    assert str(project) in users
    assert 'type="submit"' not in page.split('data-testid="template-delete"')[1]
    response = http.post(url, follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert MessageTemplate.objects.filter(pk=template.pk).exists()
