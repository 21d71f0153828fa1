"""The demo project's requirements document: Chinese narrative, version 1 published, sent to
the client's sponsor (or first contact) and confirmed — all through the services, so the
history reads like real use."""

from typing import Any

from django.db import transaction

from charter.crm.models import Contact
from charter.discovery.choices import Decision
from charter.discovery.models import RequirementsDocument
from charter.discovery.services import documents as services
from charter.planning.models import Project

DEMO_BASE_URL = "http://localhost:8000/"

NARRATIVE = {
    "background": (
        "客户目前使用多套相互独立的财务与业务系统，客户主数据分散在各系统中，"
        "月末对账依赖人工导出和核对，平均需要五个工作日。"
    ),
    "goals": "统一客户主数据，实现业务与财务数据自动对账，将月末结账时间缩短到两个工作日以内。",
    "requirements_intro": "以下需求来自关键用户访谈、问卷调查和焦点小组，已按 MoSCoW 排定优先级。",
    "expectations": "客户期望系统界面简洁，关键用户经过半天培训即可独立完成日常操作。",
    "constraints_text": "项目须在财年结束前上线；系统部署在客户自有机房；须符合等保二级要求。",
    "scope_in": "客户主数据管理、应收应付对账、月末结账报表。",
    "scope_out": "人力资源与薪酬模块、历史数据（三年以前）的迁移。",
    "glossary": "主数据：在多个系统间共享的核心业务数据\n对账：核对业务记录与财务记录是否一致",
}


def _confirmer(project: Project) -> Contact | None:
    contacts = Contact.objects.filter(client_id=project.client_id).order_by("pk")
    return contacts.filter(decision_role="sponsor").first() or contacts.first()


@transaction.atomic
def seed_document(project: Project, *, actor: Any) -> RequirementsDocument:
    """Write the project's document, publish v1, send it to one contact who confirms it.
    Without any contact of the client, the document stays published and unsent."""
    document = services.create_document(project, actor=actor, language="zh-hans")
    contact = _confirmer(project)
    services.update_document(
        document,
        actor=actor,
        expected_version=document.version,
        confirmers=[contact] if contact else [],
        **NARRATIVE,
    )
    version = services.publish_document(document, actor=actor, note="首版，供客户确认")
    if contact is None:
        return document
    invite = services.send_version(
        version, actor=actor, contacts=[contact], base_url=DEMO_BASE_URL
    )[0]
    services.decide(
        invite.request,
        decision=Decision.CONFIRMED,
        content_hash=version.content_hash,
        ip=None,
        comments={"scope": "范围清楚，同意。"},
    )
    return document
