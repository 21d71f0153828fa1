"""Won deal → project: what is copied, the links both ways, idempotency, refusals, audit."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from charter.comms.models import CommunicationItem, CommunicationOccurrence
from charter.comms.scheduler import run_due
from charter.core.models import Attachment, AuditEvent
from charter.core.services import add_attachment, delete_attachment
from charter.crm.choices import DecisionRole, StageKind
from charter.crm.models import Interaction
from charter.planning.models import KickoffItem, Project, Risk, Task
from charter.planning.services import (
    conversion,
    convert_opportunity,
    convert_opportunity_automatically,
)
from charter.planning.services.conversion import default_template, next_working_day
from charter.planning.services.templates import CommunicationSpec, TemplateContent
from charter.planning.tests.factories import START, make_template, stage, won_deal
from charter.testing.factories import ContactFactory, InteractionFactory, OpportunityFactory


@pytest.fixture
def deal(client_org, manager):
    return won_deal(client_org, title="云栖 ERP 实施", amount=Decimal("880000.00"), currency="CNY")


def attach(parent, user, name, content=b"data"):
    return add_attachment(parent, user=user, upload=SimpleUploadedFile(name, content))


def convert(deal, manager, **kwargs):
    kwargs.setdefault("template", make_template())
    return convert_opportunity(deal, actor=manager, manager=manager, start_date=START, **kwargs)


@pytest.mark.django_db
def test_the_conversion_copies_everything_and_links_both_ways(deal, manager, client_org):
    sponsor = ContactFactory(client=client_org, name="张伟", influence=5, interest=4)
    user = ContactFactory(client=client_org, name="李静", influence=2, interest=5)
    note = InteractionFactory(client=client_org, opportunity=deal, summary="需求沟通")
    client_note = InteractionFactory(client=client_org, summary="拜访")
    deal_file = attach(deal, manager, "proposal.txt", b"proposal")
    client_file = attach(client_org, manager, "org-chart.txt", b"org")

    project = convert(
        deal,
        manager,
        stakeholders=[(sponsor, DecisionRole.SPONSOR), (user, DecisionRole.KEY_USER)],
        carry_interactions=[note.pk, client_note.pk],
        carry_attachments=[deal_file.pk, client_file.pk],
    )

    assert project.name == "云栖 ERP 实施"
    assert project.code.startswith(f"PRJ-{datetime.date.today().year}-")
    assert (project.client, project.opportunity, project.budget, project.currency) == (
        client_org,
        deal,
        Decimal("880000.00"),
        "CNY",
    )
    assert list(deal.projects.all()) == [project] and list(client_org.projects.all()) == [project]
    assert list(project.members.all()) == [manager]
    tasks = Task.objects.filter(project=project)
    assert [(t.wbs, t.name, t.is_summary, t.is_milestone) for t in tasks] == [
        ("1", "启动", True, False),
        ("1.1", "项目启动会", False, True),
        ("1.2", "制定项目计划", False, False),
        ("2", "需求调研", True, False),
        ("2.1", "关键用户访谈", False, False),
    ]
    item = CommunicationItem.objects.get(project=project)
    assert (item.content, item.owner, item.channel) == ("项目周报", manager, "email")
    assert [(r.title, r.score) for r in Risk.objects.filter(project=project)] == [
        ("需求变更频繁", 16),
        ("关键用户投入不足", 12),
    ]
    assert list(KickoffItem.objects.filter(project=project).values_list("title", "done")) == [
        ("确认项目章程", False),
        ("建立企业微信项目群", False),
    ]
    stakes = {s.contact.name: (s.role, s.influence, s.interest) for s in project.stakeholders.all()}
    assert stakes == {"张伟": ("sponsor", 5, 4), "李静": ("key_user", 2, 5)}
    assert set(project.interactions.all()) == {note, client_note}
    copies = Attachment.objects.for_parent(project, manager)
    assert sorted(copy.name for copy in copies) == ["org-chart.txt", "proposal.txt"]
    assert Attachment.objects.count() == 4  # the originals stay where they were


@pytest.mark.django_db
def test_copied_files_are_separate_files(deal, manager, django_capture_on_commit_callbacks):
    original = attach(deal, manager, "proposal.txt", b"the proposal")
    project = convert(deal, manager, carry_attachments=[original.pk])
    copy = Attachment.objects.for_parent(project, manager).get()
    assert copy.file.name != original.file.name
    assert (copy.sha256, copy.size) == (original.sha256, original.size)
    storage, original_path = original.file.storage, original.file.name
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        delete_attachment(original, user=manager)
    assert not storage.exists(original_path)
    with copy.file.open("rb") as handle:
        assert handle.read() == b"the proposal"


@pytest.mark.django_db
def test_communications_are_copied_with_type_and_rule_and_send_nothing(deal, manager):
    content = TemplateContent(
        communications=(
            CommunicationSpec(
                "项目周报", "项目发起人", "每周五", "email", "status_report", "FREQ=WEEKLY;BYDAY=FR"
            ),
            CommunicationSpec("上线通知", "全体", "一次", "wecom", "milestone_notice", ""),
        )
    )
    project = convert(deal, manager, template=make_template(content=content))
    items = CommunicationItem.objects.filter(project=project)
    assert [(i.content, i.kind, i.rule, i.channel) for i in items] == [
        ("项目周报", "status_report", "FREQ=WEEKLY;BYDAY=FR", "email"),
        ("上线通知", "milestone_notice", "", "wecom"),
    ]
    assert [(i.is_active, i.starts_on, i.owner) for i in items] == [(False, START, manager)] * 2
    far = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    assert CommunicationItem.objects.filter(project=project, is_active=True).count() == 0
    assert run_due(now=far) == 0 and not CommunicationOccurrence.objects.exists()


@pytest.mark.django_db
def test_audit_events_on_the_project_and_the_deal(deal, manager, client_org):
    sponsor = ContactFactory(client=client_org, name="张伟")
    project = convert(deal, manager, stakeholders=[(sponsor, DecisionRole.SPONSOR)])
    created = AuditEvent.objects.for_object(project).get()
    assert (created.action, created.actor) == ("created", manager)
    assert created.changes["code"] == [None, project.code]
    assert created.changes["budget"] == [None, "880000.00"]
    assert created.changes["phases"] == [None, 2] and created.changes["tasks"] == [None, 3]
    assert created.changes["risks"] == [None, 2] and created.changes["kickoff"] == [None, 2]
    assert created.changes["stakeholders"] == [None, ["张伟 (Sponsor)"]]
    converted = AuditEvent.objects.for_object(deal).get(action="converted")
    assert converted.changes == {"project": [None, str(project)]}
    assert converted.action_label == "converted into a project"


@pytest.mark.django_db
def test_converting_again_returns_the_existing_project_unless_asked_for_another(deal, manager):
    template = make_template()
    first = convert(deal, manager, template=template)
    again = convert(deal, manager, template=template, budget=Decimal(1))
    assert again == first and Project.objects.count() == 1
    assert again.budget == Decimal("880000.00")
    another = convert(deal, manager, template=template, force_new=True)
    assert another != first and another.code != first.code
    assert set(deal.projects.all()) == {first, another}
    assert Task.objects.filter(is_summary=True).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [StageKind.OPEN, StageKind.LOST])
def test_a_deal_that_is_not_won_is_refused(client_org, manager, kind):
    deal = OpportunityFactory(client=client_org, stage=stage(kind))
    with pytest.raises(ValidationError, match="Only a won deal"):
        convert(deal, manager)
    assert not Project.objects.exists()
    assert not AuditEvent.objects.filter(action="converted").exists()


@pytest.mark.django_db
def test_nothing_is_written_when_a_choice_is_wrong(deal, manager, other_client_org):
    stranger = ContactFactory(client=other_client_org)
    foreign_note = InteractionFactory(client=other_client_org)
    with pytest.raises(ValidationError) as stakeholder_error:
        convert(deal, manager, stakeholders=[(stranger, DecisionRole.SPONSOR)])
    assert "stakeholders" in stakeholder_error.value.message_dict
    with pytest.raises(ValidationError) as note_error:
        convert(deal, manager, carry_interactions=[foreign_note.pk])
    assert "interactions" in note_error.value.message_dict
    foreign_file = attach(other_client_org, manager, "other.txt")
    with pytest.raises(ValidationError) as file_error:
        convert(deal, manager, carry_attachments=[foreign_file.pk])
    assert "attachments" in file_error.value.message_dict
    assert not Project.objects.exists() and not Task.objects.exists()
    assert Interaction.objects.get(pk=foreign_note.pk).project is None


@pytest.mark.django_db
def test_a_failure_after_copying_files_leaves_no_copy_behind(
    deal, manager, monkeypatch, settings, tmp_path
):
    # A folder of its own: tests running in parallel write files into the shared media folder.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    original = attach(deal, manager, "proposal.txt")
    storage = original.file.storage
    folder = original.file.name.rsplit("/", 1)[0]
    before = set(storage.listdir(folder)[1])

    def fail(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(conversion, "_record", fail)
    with pytest.raises(RuntimeError):
        convert(deal, manager, carry_attachments=[original.pk])
    assert set(storage.listdir(folder)[1]) == before
    assert not Project.objects.exists() and Attachment.objects.count() == 1


@pytest.mark.django_db
def test_a_client_user_cannot_be_project_manager(deal, manager, users):
    with pytest.raises(ValidationError) as error:
        convert_opportunity(
            deal, actor=manager, template=None, manager=users["client"], start_date=START
        )
    assert "manager" in error.value.message_dict


@pytest.mark.django_db
def test_project_codes_count_up_within_the_year(client_org, manager):
    template = make_template()
    codes = [convert(won_deal(client_org), manager, template=template).code for _ in range(3)]
    year = datetime.date.today().year
    assert codes == [f"PRJ-{year}-0001", f"PRJ-{year}-0002", f"PRJ-{year}-0003"]


# ---- automatically -------------------------------------------------------------------------


def test_the_next_working_day_skips_the_weekend():
    friday, saturday = datetime.date(2026, 11, 27), datetime.date(2026, 11, 28)
    assert next_working_day(friday) == datetime.date(2026, 11, 30)
    assert next_working_day(saturday) == datetime.date(2026, 11, 30)
    assert next_working_day(datetime.date(2026, 11, 30)) == datetime.date(2026, 12, 1)


@pytest.mark.django_db
def test_automatic_conversion_uses_the_defaults(client_org, users):
    client_org.auto_convert_won = True
    client_org.save()
    owner = users["member"]
    make_template(name="Software implementation", language="en", is_default=True)
    chinese = make_template(name="软件实施", language="zh-hans", is_default=True)
    sponsor = ContactFactory(
        client=client_org, decision_role=DecisionRole.SPONSOR, language="zh-hans"
    )
    ContactFactory(client=client_org, decision_role=DecisionRole.OTHER, language="zh-hans")
    deal = won_deal(client_org, owner=owner)
    note = InteractionFactory(client=client_org, opportunity=deal)
    other_deal_note = InteractionFactory(client=client_org, opportunity=won_deal(client_org))

    project = convert_opportunity_automatically(deal, actor=users["manager"])

    assert project.template == chinese  # the client's contacts speak Chinese
    assert project.manager == owner
    assert project.start_date == next_working_day(datetime.date.today())
    assert [(s.contact, s.role) for s in project.stakeholders.all()] == [(sponsor, "sponsor")]
    assert list(project.interactions.all()) == [note]
    assert Interaction.objects.get(pk=other_deal_note.pk).project is None
    assert convert_opportunity_automatically(deal, actor=users["manager"]) == project
    assert Project.objects.count() == 1


@pytest.mark.django_db
def test_automatic_conversion_only_when_the_client_says_so(client_org, users):
    make_template(is_default=True)
    deal = won_deal(client_org)
    assert convert_opportunity_automatically(deal, actor=users["manager"]) is None
    client_org.auto_convert_won = True
    client_org.save()
    open_deal = OpportunityFactory(client=client_org, stage=stage(StageKind.OPEN))
    assert convert_opportunity_automatically(open_deal, actor=users["manager"]) is None
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_default_template_follows_the_client_then_the_actor(client_org, users):
    english = make_template(name="Software implementation", language="en", is_default=True)
    chinese = make_template(name="软件实施", language="zh-hans", is_default=True)
    make_template(name="咨询项目", language="zh-hans")
    manager = users["manager"]  # speaks English (factory default)
    assert default_template(client_org, manager) == english
    ContactFactory(client=client_org, language="zh-hans")
    assert default_template(client_org, manager) == chinese


# ---- concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_conversions_make_one_project(client_org, users):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; run with CHARTER_DATABASE_URL=postgres://…")
    manager = users["manager"]
    deal = won_deal(client_org)
    template = make_template()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(convert(deal, manager, template=template).pk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Project.objects.count() == 1
    assert AuditEvent.objects.filter(action="converted").count() == 1
