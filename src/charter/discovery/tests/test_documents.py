"""The requirements document: content, hash and diff (pure), and the services."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.discovery.choices import Decision, RequirementStatus, RequirementType
from charter.discovery.docx import document_docx_bytes
from charter.discovery.models import ConfirmationRequest, SectionComment
from charter.discovery.services import documents as services
from charter.discovery.services.document_content import (
    build_content,
    content_hash,
    diff_contents,
    glossary_entries,
    text_diff,
)
from charter.discovery.tests.factories import make_document, make_requirement, sent_request
from charter.testing.factories import ClientFactory, ContactFactory


class Row:
    def __init__(self, **fields):
        defaults = {
            "code": "REQ-001",
            "title": "统一客户主数据",
            "type": RequirementType.FUNCTIONAL,
            "priority": "must",
            "description": "",
            "acceptance_criteria": "",
            "status": "proposed",
            "latent_need": False,
        }
        self.__dict__.update(defaults | fields)


def content_of(*rows, **texts):
    return build_content(title="文档", language="zh-hans", texts=texts, requirements=rows)


def reordered(value):
    """The same JSON value with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


# ---- pure: content, hash, diff ------------------------------------------------------------------


@given(json_values)
def test_the_hash_does_not_depend_on_key_order(value):
    assert content_hash(reordered(value)) == content_hash(value)


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_any_change_to_a_requirement_title_changes_the_hash(old, new):
    before = content_of(Row(title=old))
    after = content_of(Row(title=new))
    assert (content_hash(before) == content_hash(after)) == (old == new)


def test_the_hash_is_sha256_of_canonical_json():
    import hashlib

    content = {"b": "需求", "a": [1, {"d": True, "c": None}]}
    canonical = '{"a":[1,{"c":null,"d":true}],"b":"需求"}'
    assert content_hash(content) == hashlib.sha256(canonical.encode()).hexdigest()


def test_sections_list_the_register_by_type():
    content = content_of(
        Row(code="REQ-001", type=RequirementType.NON_FUNCTIONAL),
        Row(code="REQ-002", type=RequirementType.FUNCTIONAL),
        Row(code="REQ-003", type=RequirementType.BUSINESS_GOAL),
        Row(code="REQ-004", type=RequirementType.CONSTRAINT),
        Row(code="REQ-005", type=RequirementType.EXPECTATION),
        background="背景",
        scope_in="范围内",
    )
    codes = {
        section["key"]: [row["code"] for row in section["requirements"]]
        for section in content["sections"]
    }
    assert list(codes) == [
        "background",
        "goals",
        "requirements",
        "expectations",
        "constraints",
        "scope",
        "glossary",
    ]
    assert codes["goals"] == ["REQ-003"]
    assert codes["requirements"] == ["REQ-002", "REQ-001"]  # functional first
    assert codes["expectations"] == ["REQ-005"]
    assert codes["constraints"] == ["REQ-004"]
    assert content["sections"][5]["texts"] == {"scope_in": "范围内", "scope_out": ""}


@given(st.text(max_size=30), st.text(max_size=30))
def test_a_text_diff_rebuilds_both_texts(old, new):
    ops = text_diff(old, new)
    assert "".join(text for op, text in ops if op != "insert") == old
    assert "".join(text for op, text in ops if op != "delete") == new


def test_chinese_is_compared_character_by_character_and_english_by_word():
    assert text_diff("系统需要支持审批", "系统必须支持审批") == [
        ("equal", "系统"),
        ("delete", "需要"),
        ("insert", "必须"),
        ("equal", "支持审批"),
    ]
    assert ("insert", "fast") in text_diff("a slow system", "a fast system")


def test_diff_per_section_and_per_requirement():
    old = content_of(
        Row(code="REQ-001", title="登录"),
        Row(code="REQ-002", title="导出", type=RequirementType.CONSTRAINT),
        background="旧背景",
    )
    new = content_of(
        Row(code="REQ-001", title="单点登录", priority="should"),
        Row(code="REQ-003", title="报表", type=RequirementType.BUSINESS_GOAL),
        background="新背景",
    )
    sections = {section.key: section for section in diff_contents(old, new)}
    assert sections["background"].texts[0].field == "background"
    assert ("insert", "新") in sections["background"].texts[0].ops
    changed = sections["requirements"].requirements[0]
    assert (changed.code, changed.kind) == ("REQ-001", "changed")
    assert {(f.field, f.old, f.new) for f in changed.fields} == {
        ("title", "登录", "单点登录"),
        ("priority", "must", "should"),
    }
    assert [(c.code, c.kind) for c in sections["constraints"].requirements] == [
        ("REQ-002", "removed")
    ]
    assert [(c.code, c.kind) for c in sections["goals"].requirements] == [("REQ-003", "added")]
    assert not sections["glossary"].changed


def test_glossary_lines_become_terms():
    assert glossary_entries("SSO: 单点登录\nERP：企业资源计划\n\n自由文本") == [
        ("SSO", "单点登录"),
        ("ERP", "企业资源计划"),
        ("", "自由文本"),
    ]


# ---- services -----------------------------------------------------------------------------------


@pytest.fixture
def document(project, users):
    return make_document(project, actor=users["manager"])


def document_events(document):
    return AuditEvent.objects.filter(
        object_id=str(document.pk), content_type__model="requirementsdocument"
    ).order_by("pk")


def audit_actions(document):
    return list(document_events(document).values_list("action", flat=True))


@pytest.mark.django_db
def test_create_names_the_document_in_its_language(project, users):
    document = services.create_document(project, actor=users["manager"], language="en")
    assert document.title == f"Requirements document — {project}"
    with pytest.raises(ValidationError):
        services.create_document(project, actor=users["manager"], language="en")


@pytest.mark.django_db
def test_edit_is_versioned_and_audited(document, users, client_org):
    contact = ContactFactory(client=client_org)
    services.update_document(
        document,
        actor=users["manager"],
        expected_version=document.version,
        goals="上线",
        confirmers=[contact],
    )
    with pytest.raises(StaleEdit):
        services.update_document(document, actor=users["manager"], expected_version=1, goals="x")
    event = document_events(document).filter(action="updated").last()
    assert event.changes["goals"] == ["", "上线"]
    assert event.changes["confirmers"] == [[], [contact.name]]


@pytest.mark.django_db
def test_confirmers_must_be_contacts_of_the_client(document, users):
    stranger = ContactFactory(client=ClientFactory())
    with pytest.raises(ValidationError) as error:
        services.update_document(
            document,
            actor=users["manager"],
            expected_version=document.version,
            confirmers=[stranger],
        )
    assert "confirmers" in error.value.message_dict
    assert not document.confirmers.exists()


@pytest.mark.django_db
def test_publish_freezes_the_draft_and_refuses_when_unchanged(document, project, users):
    make_requirement(project, title="审批流")
    make_requirement(project, title="已拒绝", status=RequirementStatus.REJECTED)
    v1 = services.publish_document(document, actor=users["manager"], note="首版")
    assert v1.number == 1
    assert v1.content_hash == content_hash(v1.content)
    titles = [row["title"] for s in v1.content["sections"] for row in s["requirements"]]
    assert titles == ["审批流"]
    with pytest.raises(ValidationError, match="Nothing changed since version 1"):
        services.publish_document(document, actor=users["manager"])
    assert audit_actions(document)[-1] == "published"


@pytest.mark.django_db
def test_a_later_edit_makes_v2_and_never_touches_a_confirmed_v1(document, project, users):
    requirement = make_requirement(project, title="审批流")
    v1 = services.publish_document(document, actor=users["manager"])
    frozen, digest = v1.content, v1.content_hash
    request, _token = sent_request(v1)
    services.decide(request, decision=Decision.CONFIRMED, content_hash=digest, ip="10.0.0.1")

    services.update_document(
        document, actor=users["manager"], expected_version=document.version, background="改了"
    )
    from charter.discovery.services import update_requirement

    update_requirement(
        requirement, actor=users["manager"], expected_version=requirement.version, title="新标题"
    )
    v2 = services.publish_document(document, actor=users["manager"])
    v1.refresh_from_db()
    assert (v2.number, v1.content, v1.content_hash) == (2, frozen, digest)
    assert v2.content_hash != digest
    request.refresh_from_db()
    assert (request.decision, request.decided_hash) == (Decision.CONFIRMED, digest)
    changes = {s.key: s for s in diff_contents(v1.content, v2.content)}
    assert changes["background"].texts
    assert changes["requirements"].requirements[0].fields[0].field == "title"


@pytest.mark.django_db
def test_send_mails_each_contact_in_their_language(document, users, client_org):
    v1 = services.publish_document(document, actor=users["manager"])
    zh = ContactFactory(client=client_org, language="zh-hans")
    en = ContactFactory(client=client_org, language="en")
    silent = ContactFactory(client=client_org, email="")
    invites = services.send_version(
        v1, actor=users["manager"], contacts=[zh, en, silent], base_url="http://x.test/"
    )
    assert len(invites) == 3 and len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    link = f"http://x.test/d/{invites[1].token}/"
    assert link in by_address[en.email].body
    assert "Please read version 1" in by_address[en.email].body
    for invite in invites:
        assert invite.request.token_hash != invite.token
        assert services.find_request(invite.token) == invite.request
    assert audit_actions(document)[-1] == "sent_for_confirmation"


@pytest.mark.django_db
def test_send_refuses_other_clients_contacts_and_decided_contacts(document, users, client_org):
    v1 = services.publish_document(document, actor=users["manager"])
    with pytest.raises(ValidationError):
        services.send_version(
            v1, actor=None, contacts=[ContactFactory(client=ClientFactory())], base_url="http://x/"
        )
    request, _token = sent_request(v1)
    services.decide(request, decision=Decision.CONFIRMED, content_hash=v1.content_hash, ip=None)
    with pytest.raises(ValidationError, match="already decided"):
        services.send_version(v1, actor=None, contacts=[request.contact], base_url="http://x/")


@pytest.mark.django_db
def test_resending_replaces_the_pending_link(document, users):
    v1 = services.publish_document(document, actor=users["manager"])
    request, old_token = sent_request(v1)
    _again, new_token = sent_request(v1, contact=request.contact)
    assert services.find_request(old_token) is None
    assert services.find_request(new_token).pk == request.pk


@pytest.mark.django_db
def test_decisions_record_who_when_ip_hash_and_comments(document, users):
    v1 = services.publish_document(document, actor=users["manager"])
    request, _token = sent_request(v1)
    with pytest.raises(ValidationError) as error:
        services.decide(
            request, decision=Decision.CHANGES_REQUESTED, content_hash=v1.content_hash, ip=None
        )
    assert "message" in error.value.message_dict
    with pytest.raises(ValidationError, match="changed while you were reading"):
        services.decide(request, decision=Decision.CONFIRMED, content_hash="0" * 64, ip=None)
    services.decide(
        request,
        decision=Decision.CHANGES_REQUESTED,
        content_hash=v1.content_hash,
        ip="203.0.113.9",
        message="请补充审批流程",
        comments={"background": "背景不完整", "goals": " ", "bogus": "x"},
    )
    request.refresh_from_db()
    assert request.decision == Decision.CHANGES_REQUESTED
    assert (request.decided_ip, request.decided_hash) == ("203.0.113.9", v1.content_hash)
    assert list(request.comments.values_list("section", "body")) == [("background", "背景不完整")]
    with pytest.raises(ValidationError, match="already answered"):
        services.decide(request, decision=Decision.CONFIRMED, content_hash=v1.content_hash, ip=None)
    assert SectionComment.objects.count() == 1
    assert audit_actions(document)[-1] == "changes_requested"


@pytest.mark.django_db
def test_an_expired_link_takes_no_decision(document, users):
    v1 = services.publish_document(document, actor=users["manager"])
    request, _token = sent_request(v1)
    ConfirmationRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.decide(request, decision=Decision.CONFIRMED, content_hash=v1.content_hash, ip=None)


@pytest.mark.django_db
def test_confirmed_needs_every_required_confirmer_on_the_latest_version(
    document, project, users, client_org
):
    first, second = ContactFactory(client=client_org), ContactFactory(client=client_org)
    status = services.document_status(document)
    assert (status.state, status.draft_differs, status.confirmed) == ("draft", False, False)
    v1 = services.publish_document(document, actor=users["manager"])
    for contact in (first, second):
        request, _token = sent_request(v1, contact=contact)
        services.decide(request, decision=Decision.CONFIRMED, content_hash=v1.content_hash, ip=None)
    assert services.document_status(document).state == "published"  # no confirmers required
    services.update_document(
        document, actor=None, expected_version=document.version, confirmers=[first, second]
    )
    status = services.document_status(document)
    assert status.state == "confirmed"
    assert {r.contact for r in status.confirmed_by} == {first, second}

    make_requirement(project, title="新需求")
    assert services.document_status(document).draft_differs
    v2 = services.publish_document(document, actor=users["manager"])
    request, _token = sent_request(v2, contact=first)
    services.decide(request, decision=Decision.CONFIRMED, content_hash=v2.content_hash, ip=None)
    status = services.document_status(document)
    assert status.state == "published"  # v1's confirmation of the second does not count
    assert status.waiting_for == [second]


@pytest.mark.django_db
def test_docx_in_chinese_has_headings_and_codes(document, project, users):
    make_requirement(project, title="审批流", priority="must")
    v1 = services.publish_document(document, actor=users["manager"])
    doc = Document(io.BytesIO(document_docx_bytes(v1.content, version=v1)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    with translation.override("zh-hans"):
        from charter.discovery.choices import DocumentSection

        headings = [f"{i}. {label}" for i, label in enumerate(DocumentSection.labels, start=1)]
    for heading in headings:
        assert heading in text
    assert "客户希望统一主数据。" in text
    assert v1.content_hash in text
    assert "REQ-001" in cells and "必须有" in cells  # priority label in the document's language
    assert doc.core_properties.title == document.title


@pytest.mark.django_db
def test_the_demo_document_is_published_and_confirmed(project, users):
    from charter.demo.discovery_documents import seed_document

    document = seed_document(project, actor=users["manager"])
    status = services.document_status(document)
    assert (status.state, status.latest.number, status.draft_differs) == ("confirmed", 1, False)
    assert "统一客户主数据" in document.goals
