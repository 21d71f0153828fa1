"""The import service: dry run, matching, all-or-nothing commit, idempotency, cost."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.core.models import AuditEvent
from charter.crm.models import (
    Client,
    Contact,
    ExternalId,
    ImportJob,
    ImportMapping,
    Opportunity,
    Tag,
)
from charter.crm.services import imports
from charter.testing.factories import ClientFactory, OpportunityFactory


def upload(text: str, name: str = "file.csv", encoding: str = "utf-8-sig"):
    return SimpleUploadedFile(name, text.encode(encoding))


def checked(user, kind: str, text: str, mapping=None) -> ImportJob:
    job = imports.start_import(actor=user, kind=kind, upload=upload(text))
    return imports.check_import(job, actor=user, mapping=mapping or job.mapping)


def run(user, kind: str, text: str, **options) -> ImportJob:
    job = checked(user, kind, text)
    return imports.commit_import(job, actor=user, **options)


def client_csv(count: int, start: int = 0) -> str:
    lines = ["名称,简称,行业,标签,负责人,外部编号,系统"]
    lines += [
        f'导入客户{n:05d}有限公司,客户{n},软件,"华东,重点",manager,Z-{n},zoho'
        for n in range(start, start + count)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_dry_run_counts_and_writes_nothing(users, client_org):
    text = "客户名称,简称\n上海云栖科技有限公司,云栖科技\n新客户有限公司,新\n新客户有限公司,重复\n"
    job = checked(users["manager"], "clients", text)
    assert (job.status, job.to_create, job.unchanged, job.error_rows) == ("checked", 1, 1, 1)
    assert job.errors == [{"row": 4, "column": "", "message": "Row 3 has the same client name."}]
    assert Client.objects.count() == 1


@pytest.mark.django_db
def test_a_file_with_errors_imports_nothing_unless_valid_rows_only_is_chosen(users):
    text = "名称,统一社会信用代码\n甲公司,\n乙公司,123\n"
    job = checked(users["manager"], "clients", text)
    assert job.error_rows == 1 and "18 characters" in job.errors[0]["message"]
    with pytest.raises(ValidationError, match="1 rows have errors"):
        imports.commit_import(job, actor=users["manager"])
    assert not Client.objects.filter(name__in=["甲公司", "乙公司"]).exists()
    job = imports.commit_import(job, actor=users["manager"], valid_only=True)
    assert job.status == "done" and job.to_create == 1 and job.error_rows == 1
    names = Client.objects.filter(name__in=["甲公司", "乙公司"]).values_list("name", flat=True)
    assert list(names) == ["甲公司"]


@pytest.mark.django_db
def test_commit_checks_again_and_rolls_back_when_rows_went_wrong_since(users):
    doomed = ClientFactory(name="甲有限公司")
    job = checked(users["manager"], "contacts", "客户,姓名\n云栖科技,张三\n甲有限公司,李四\n")
    assert (job.to_create, job.error_rows) == (2, 0)
    doomed.delete()
    job = imports.commit_import(job, actor=users["manager"])
    assert job.status == "failed" and job.message == "Nothing was imported: 1 rows have errors."
    assert job.errors[0]["row"] == 3
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_import_creates_with_owner_tags_external_ids_and_audit(users):
    job = run(users["manager"], "clients", client_csv(2))
    assert (job.status, job.to_create) == ("done", 2)
    client = Client.objects.get(name="导入客户00001有限公司")
    assert client.owner == users["manager"] and client.industry == "软件"
    assert sorted(client.tags.values_list("name", flat=True)) == ["华东", "重点"]
    external = ExternalId.objects.get(object_id=str(client.pk))
    assert (external.system, external.external_id) == ("zoho", "Z-1")
    event = AuditEvent.objects.for_object(client).get()
    assert event.action == "created" and event.actor == users["manager"]
    assert event.changes["owner"] == [None, "manager"]
    assert event.changes["tags"] == [None, ["华东", "重点"]]


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(users):
    run(users["manager"], "clients", client_csv(3))
    before = (AuditEvent.objects.count(), list(Client.objects.values_list("version", flat=True)))
    again = run(users["manager"], "clients", client_csv(3))
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 3)
    after = (AuditEvent.objects.count(), list(Client.objects.values_list("version", flat=True)))
    assert after == before


@pytest.mark.django_db
def test_matching_by_external_id_renames_and_by_normalised_name_updates(users):
    run(users["manager"], "clients", "名称,外部编号,系统\n北京乙（集团）有限公司,B-1,zoho\n")
    job = run(
        users["manager"],
        "clients",
        "名称,行业,外部编号,系统\n北京乙集团,制造,B-1,zoho\nACME Co.,,,\n",
    )
    assert (job.to_create, job.to_update) == (1, 1)
    renamed = Client.objects.get(name="北京乙集团")
    assert renamed.industry == "制造" and renamed.version == 2
    event = AuditEvent.objects.for_object(renamed).filter(action="updated").get()
    assert event.changes == {
        "name": ["北京乙（集团）有限公司", "北京乙集团"],
        "industry": ["", "制造"],
    }
    # Same name spelled differently: an update of the existing client, name kept.
    job = run(users["manager"], "clients", "名称,地区\n ａｃｍｅ co ,上海\n")
    assert (job.to_create, job.to_update) == (0, 1)
    assert Client.objects.get(name="ACME Co.").region == "上海"


@pytest.mark.django_db
def test_a_name_match_with_another_external_id_is_an_error(users):
    run(users["manager"], "clients", "名称,外部编号,系统\n甲有限公司,A-1,zoho\n")
    job = checked(users["manager"], "clients", "名称,外部编号,系统\n甲有限公司,A-2,zoho\n")
    assert job.error_rows == 1 and "already has the external id “A-1”" in job.errors[0]["message"]


@pytest.mark.django_db
def test_contacts_match_by_email_then_mobile(users, client_org):
    text = "客户,姓名,邮箱,手机,决策角色\n云栖科技,张三,zhang@example.com,13800138000,Sponsor\n"
    run(users["manager"], "contacts", text)
    contact = Contact.objects.get()
    assert (contact.client, contact.mobile, contact.decision_role) == (
        client_org,
        "+8613800138000",
        "sponsor",
    )
    job = run(
        users["manager"], "contacts", "客户,姓名,邮箱,职位\n云栖科技,张三,ZHANG@example.com,CTO\n"
    )
    assert job.to_update == 1 and Contact.objects.get().title == "CTO"
    job = run(
        users["manager"], "contacts", "客户,姓名,手机,部门\n云栖科技,张三,+86 138 0013 8000,IT\n"
    )
    assert job.to_update == 1 and Contact.objects.get().department == "IT"
    bad = checked(users["manager"], "contacts", "客户,姓名,手机\n无此客户,李四,12345\n")
    assert {error["column"] for error in bad.errors} == {"客户", "手机"}


@pytest.mark.django_db
def test_opportunities_with_stage_by_chinese_or_english_name(users, client_org):
    text = "客户,商机名称,金额,币种,阶段,负责人,预计成交日期\n"
    text += '上海云栖科技有限公司,ERP 实施,"1,200,000",CNY,方案报价,manager@example.com,2026/6/30\n'
    text += "上海云栖科技有限公司,数据平台,50000,USD,Negotiation,,\n"
    job = run(users["manager"], "opportunities", text)
    assert job.to_create == 2, job.errors
    erp = Opportunity.objects.get(title="ERP 实施")
    assert erp.amount == Decimal("1200000") and erp.stage.name_en == "Proposal"
    assert erp.owner == users["manager"] and erp.probability == erp.stage.probability
    assert str(erp.expected_close) == "2026-06-30"
    assert run(users["manager"], "opportunities", text).unchanged == 2
    bad = checked(users["manager"], "opportunities", "客户,商机名称,阶段\n云栖科技,X,Nowhere\n")
    assert bad.errors[0]["column"] == "阶段"


@pytest.mark.django_db
def test_existing_opportunity_is_matched_by_title_within_its_client(users, client_org):
    deal = OpportunityFactory(client=client_org, title="ERP 实施")
    job = run(users["manager"], "opportunities", "客户,商机名称,下一步\n云栖科技,erp 实施,报价\n")
    assert job.to_update == 1
    deal.refresh_from_db()
    assert deal.next_step == "报价" and deal.title == "ERP 实施"


@pytest.mark.django_db
def test_the_mapping_is_remembered_for_the_same_headings(users):
    text = "Firm,Remark\nAcme\n"
    job = imports.start_import(actor=users["manager"], kind="clients", upload=upload(text))
    assert job.mapping == {}
    imports.check_import(job, actor=users["manager"], mapping={"name": "Firm", "address": "Remark"})
    assert ImportMapping.objects.count() == 1
    again = imports.start_import(
        actor=users["manager"], kind="clients", upload=upload("Remark,Firm\nx,Acme\n")
    )
    assert again.mapping == {"name": "Firm", "address": "Remark"}


@pytest.mark.django_db
def test_bad_files_store_nothing(users):
    with pytest.raises(ValidationError) as raised:
        imports.start_import(actor=users["manager"], kind="clients", upload=upload("名称\n"))
    assert raised.value.message_dict == {"file": ["The file has column headings but no data rows."]}
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_large_files_run_as_a_task_that_records_progress(users, monkeypatch):
    monkeypatch.setattr(imports, "BACKGROUND_ROWS", 10)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 7)
    seen = []
    from charter.crm import tasks

    class Worker:
        """Sees which phases the task ran (the test settings run tasks immediately)."""

        def run_job(self, job_id, phase):
            seen.append(phase)
            return imports.run_job(job_id, phase)

    monkeypatch.setattr(tasks, "imports", Worker())
    job = checked(users["manager"], "clients", client_csv(20))
    assert (job.status, job.rows_done, job.to_create) == ("checked", 20, 20)
    job = imports.commit_import(job, actor=users["manager"])
    assert seen == ["check", "commit"] and job.status == "done"
    assert Client.objects.filter(name__startswith="导入客户").count() == 20


def test_the_task_takes_the_job_id():
    from charter.crm.tasks import run_import_job

    assert run_import_job.name == "run_import_job"


def import_queries(user, count: int) -> int:
    job = imports.start_import(actor=user, kind="clients", upload=upload(client_csv(count)))
    with CaptureQueriesContext(connection) as check:
        job = imports.check_import(job, actor=user, mapping=job.mapping)
    with CaptureQueriesContext(connection) as commit:
        job = imports.commit_import(job, actor=user)
    assert job.status == "done" and job.to_create == count
    return len(check) + len(commit)


@pytest.mark.django_db
def test_import_cost_does_not_grow_with_the_rows(users):
    ContentType.objects.get_for_model(Client)  # cached before counting
    small = import_queries(users["manager"], 1000)
    Client.objects.filter(name__startswith="导入客户").delete()
    ExternalId.objects.all().delete()
    Tag.objects.all().delete()  # the second run creates them again
    large = import_queries(users["manager"], 2000)
    assert small == large
    assert small < 60
