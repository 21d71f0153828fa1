"""Requirements document pages and API: draft, edit, publish, versions, diff, send, exports."""

import io
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from charter.discovery.choices import Decision
from charter.discovery.models import ConfirmationRequest, DocumentVersion, RequirementsDocument
from charter.discovery.services import documents as services
from charter.discovery.tests.factories import make_document, make_requirement, sent_request
from charter.planning.tests.factories import make_project
from charter.testing.factories import ClientFactory, ContactFactory


@pytest.fixture
def document(project, users):
    return make_document(project, actor=users["manager"])


def page_url(project):
    return reverse("discovery:project_document", args=[project.pk])


# ---- HTML ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_document_the_page_offers_to_start_one(project, signed_in):
    http = signed_in("member")
    response = http.get(page_url(project))
    assert response.status_code == 200
    assert b'data-testid="start-document"' in response.content
    create = reverse("discovery:project_document_create", args=[project.pk])
    assert http.post(create, {"language": "xx"}).status_code == 422
    response = http.post(create, {"language": "en"})
    assert response.status_code == 302
    document = RequirementsDocument.objects.get(project=project)
    assert (document.language, document.title) == ("en", f"Requirements document — {project}")
    assert http.post(create, {"language": "en"}).status_code == 422  # one per project


@pytest.mark.django_db
def test_an_empty_section_says_so_once(project, signed_in, users):
    services.create_document(project, actor=users["manager"], language="en")
    body = signed_in("member").get(page_url(project)).content.decode()
    assert body.count("Nothing in this section.") == 7  # every section, scope included
    assert "In scope" not in body  # no empty sub-headings with dashes under them


@pytest.mark.django_db
def test_the_draft_page_shows_sections_rows_and_status(document, project, signed_in):
    make_requirement(project, title="审批流", acceptance_criteria="三级审批")
    make_requirement(project, title="年度目标", type="business_goal")
    response = signed_in("member").get(page_url(project))
    body = response.content.decode()
    assert response.status_code == 200
    assert "客户希望统一主数据。" in body and "三级审批" in body and "年度目标" in body
    assert 'data-testid="section-glossary"' in body
    assert 'data-testid="publish"' not in body  # members do not publish
    assert "Draft" in body


@pytest.mark.django_db
def test_the_draft_page_costs_the_same_queries_for_2_and_20_requirements(
    document, project, signed_in, client_org, users
):
    http = signed_in("manager")
    contact = ContactFactory(client=client_org)
    services.update_document(
        document, actor=None, expected_version=document.version, confirmers=[contact]
    )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert http.get(page_url(project)).status_code == 200
        return len(queries)

    for _ in range(2):
        make_requirement(project)
    version = services.publish_document(document, actor=users["manager"])
    sent_request(version, contact=contact)
    small = count()
    for _ in range(18):
        make_requirement(project)
    version = services.publish_document(document, actor=users["manager"])
    sent_request(version, contact=contact)
    assert count() == small


@pytest.mark.django_db
def test_edit_saves_the_draft_and_refuses_a_stale_form(document, signed_in, client_org):
    contact = ContactFactory(client=client_org)
    url = reverse("discovery:document_edit", args=[document.pk])
    http = signed_in("member")
    assert http.get(url).status_code == 200
    data = {
        "version": document.version,
        "title": "需求文档",
        "language": "zh-hans",
        "background": "新的背景",
        "confirmers": [contact.pk],
    }
    assert http.post(url, data).status_code == 302
    document.refresh_from_db()
    assert document.background == "新的背景" and list(document.confirmers.all()) == [contact]
    response = http.post(url, data)  # the same, older version
    assert response.status_code == 409
    assert "Someone else saved" in response.content.decode()
    foreign = ContactFactory(client=ClientFactory())
    response = http.post(url, data | {"version": document.version, "confirmers": [foreign.pk]})
    assert response.status_code == 422


@pytest.mark.django_db
def test_publish_page_publishes_then_refuses_the_same_draft(document, signed_in):
    url = reverse("discovery:document_publish", args=[document.pk])
    http = signed_in("manager")
    response = http.post(url, {"note": "首版"})
    version = DocumentVersion.objects.get(document=document)
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    assert version.note == "首版"
    response = http.post(url, {"note": ""})
    assert response.status_code == 422
    assert "Nothing changed since version 1" in response.content.decode()
    assert signed_in("member").post(url).status_code == 403


@pytest.mark.django_db
def test_a_version_page_shows_the_frozen_content_not_the_draft(document, signed_in, users):
    version = services.publish_document(document, actor=users["manager"])
    services.update_document(
        document, actor=None, expected_version=document.version, background="草稿改动"
    )
    body = signed_in("member").get(version.get_absolute_url()).content.decode()
    assert "客户希望统一主数据。" in body and "草稿改动" not in body
    assert version.content_hash in body
    draft = signed_in("member").get(
        reverse("discovery:project_document", args=[document.project_id])
    )
    assert 'data-testid="draft-differs"' in draft.content.decode()


@pytest.mark.django_db
def test_diff_page_marks_insertions_and_deletions(document, project, signed_in, users):
    services.publish_document(document, actor=users["manager"])
    services.update_document(
        document, actor=None, expected_version=document.version, background="客户希望统一数据。"
    )
    make_requirement(project, title="新增需求")
    services.publish_document(document, actor=users["manager"])
    url = reverse("discovery:document_diff", args=[document.pk])
    http = signed_in("member")
    body = http.get(url).content.decode()  # defaults to the last two versions
    assert '<del class="diff-del">主</del>' in body
    assert "新增需求" in body and "Added" in body
    assert http.get(url, {"from": 1, "to": 9}).status_code == 422
    assert http.get(url, {"from": "x", "to": 2}).status_code == 422


@pytest.mark.django_db
def test_send_shows_the_links_once_and_mails_them(document, signed_in, client_org, users):
    version = services.publish_document(document, actor=users["manager"])
    contact = ContactFactory(client=client_org, language="en")
    url = reverse("discovery:document_send", args=[version.pk])
    http = signed_in("manager")
    assert http.get(url).status_code == 200
    assert http.post(url, {"contacts": [], "valid_days": 30}).status_code == 422
    foreign = ContactFactory(client=ClientFactory())
    assert http.post(url, {"contacts": [foreign.pk], "valid_days": 30}).status_code == 422
    response = http.post(url, {"contacts": [contact.pk], "valid_days": 10})
    assert response.status_code == 200
    request = ConfirmationRequest.objects.get(version=version, contact=contact)
    body = response.content.decode()
    link = mail.outbox[0].body.split("http://testserver/d/")[1].split("/")[0]
    assert f"http://testserver/d/{link}/" in body
    assert services.find_request(link) == request
    assert signed_in("member").get(url).status_code == 403


@pytest.mark.django_db
def test_exports_docx_and_print(document, project, signed_in, users):
    make_requirement(project, title="审批流")
    version = services.publish_document(document, actor=users["manager"])
    http = signed_in("member")
    response = http.get(reverse("discovery:document_docx", args=[document.pk]), {"version": 1})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-v1.docx"')
    doc = Document(io.BytesIO(response.content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert "REQ-001" in cells
    assert http.get(reverse("discovery:document_docx", args=[document.pk])).status_code == 200
    assert (
        http.get(reverse("discovery:document_docx", args=[document.pk]), {"version": 7}).status_code
        == 404
    )
    printed = http.get(reverse("discovery:document_print", args=[document.pk]), {"version": 1})
    body = printed.content.decode()
    assert printed.status_code == 200 and version.content_hash in body
    assert 'lang="zh-hans"' in body and "page-break-before" in body and "navbar" not in body


@pytest.mark.django_db
def test_other_roles_and_clients_cannot_reach_a_document(document, signed_in):
    assert (
        signed_in("client").get(reverse("discovery:document_edit", args=[document.pk])).status_code
        == 403
    )
    other = make_project(ClientFactory(), manager=document.project.manager)
    other_document = make_document(other)
    # the member is not on that project: it does not exist for them
    url = reverse("discovery:document_edit", args=[other_document.pk])
    assert signed_in("member").get(url).status_code == 404


# ---- API ----------------------------------------------------------------------------------------


def api(http, method, url, body=None, **headers):
    return getattr(http, method)(
        f"/api/v1{url}", json.dumps(body or {}), content_type="application/json", headers=headers
    )


@pytest.mark.django_db
def test_api_create_read_edit_publish_and_diff(project, signed_in, client_org):
    http = signed_in("manager")
    created = api(
        http,
        "post",
        f"/projects/{project.pk}/document",
        {"language": "zh-hans", "title": "需求文档"},
    )
    assert created.status_code == 201
    document_id = created.json()["id"]
    assert (
        api(http, "post", f"/projects/{project.pk}/document", {"language": "en"}).status_code == 422
    )
    read = http.get(f"/api/v1/projects/{project.pk}/document")
    assert read.json()["status"]["state"] == "draft" and read["ETag"] == '"1"'
    contact = ContactFactory(client=client_org)
    patch = {"background": "背景", "confirmer_ids": [contact.pk]}
    assert api(http, "patch", f"/documents/{document_id}", patch).status_code == 428
    updated = api(http, "patch", f"/documents/{document_id}", patch, **{"If-Match": '"1"'})
    assert updated.status_code == 200 and updated.json()["confirmer_ids"] == [contact.pk]
    assert (
        api(http, "patch", f"/documents/{document_id}", patch, **{"If-Match": '"1"'}).status_code
        == 412
    )
    bad = api(
        http,
        "patch",
        f"/documents/{document_id}",
        {"confirmer_ids": [ContactFactory().pk]},
        **{"If-Match": '"2"'},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "confirmer_ids"

    v1 = api(http, "post", f"/documents/{document_id}/publish", {"note": "首版"})
    assert v1.status_code == 201 and v1.json()["number"] == 1
    assert api(http, "post", f"/documents/{document_id}/publish").status_code == 422
    make_requirement(project, title="新增")
    assert api(http, "post", f"/documents/{document_id}/publish").status_code == 201
    versions = http.get(f"/api/v1/documents/{document_id}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    one = http.get(f"/api/v1/document-versions/{v1.json()['id']}").json()
    assert one["content"]["sections"][0]["texts"]["background"] == "背景"
    diff = http.get(f"/api/v1/documents/{document_id}/diff", {"from": 1, "to": 2}).json()
    requirements = next(s for s in diff["sections"] if s["key"] == "requirements")
    assert requirements["requirements"][0]["kind"] == "added"
    assert (
        http.get(f"/api/v1/documents/{document_id}/diff", {"from": 1, "to": 5}).status_code == 404
    )


@pytest.mark.django_db
def test_api_send_returns_links_once_and_lists_confirmations(
    document, signed_in, client_org, users
):
    version = services.publish_document(document, actor=users["manager"])
    contact = ContactFactory(client=client_org)
    services.update_document(
        document, actor=None, expected_version=document.version, confirmers=[contact]
    )
    http = signed_in("manager")
    sent = api(http, "post", f"/document-versions/{version.pk}/send", {})  # default: confirmers
    assert sent.status_code == 201
    link = sent.json()[0]["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    request = services.find_request(token)
    services.decide(
        request, decision=Decision.CONFIRMED, content_hash=version.content_hash, ip="10.1.1.1"
    )
    listed = http.get(f"/api/v1/document-versions/{version.pk}/confirmations").json()["items"]
    assert listed[0]["decision"] == "confirmed" and listed[0]["decided_ip"] == "10.1.1.1"
    assert "link" not in listed[0] and token not in json.dumps(listed)
    status = http.get(f"/api/v1/projects/{document.project_id}/document").json()["status"]
    assert status["state"] == "confirmed"
    foreign = api(
        http,
        "post",
        f"/document-versions/{version.pk}/send",
        {"contact_ids": [ContactFactory().pk]},
    )
    assert foreign.status_code == 422
    assert (
        api(signed_in("member"), "post", f"/document-versions/{version.pk}/send", {}).status_code
        == 403
    )
