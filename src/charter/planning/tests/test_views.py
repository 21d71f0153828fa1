"""The conversion wizard, the project page and list, and the template editor."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from charter.core.models import Attachment, AuditEvent
from charter.core.services import add_attachment
from charter.crm.choices import DecisionRole, StageKind
from charter.planning.models import KickoffItem, Project, ProjectTemplate
from charter.planning.tests.factories import make_project, make_template, stage, won_deal
from charter.testing.factories import ContactFactory, InteractionFactory, OpportunityFactory


def convert_url(deal):
    return reverse("planning:convert", args=[deal.pk])


def wizard_data(form, **overrides):
    """What the browser posts back for the wizard as it was prefilled."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = getattr(value, "pk", value)
    data.update(overrides)
    return data


# ---- the conversion wizard -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_wizard_is_prefilled_from_the_deal(signed_in, users, client_org):
    template = make_template(language="en", is_default=True)
    deal = won_deal(client_org, amount=Decimal("500000"))
    sponsor = ContactFactory(client=client_org, name="张伟", decision_role=DecisionRole.SPONSOR)
    bystander = ContactFactory(client=client_org, name="王芳", decision_role=DecisionRole.OTHER)
    note = InteractionFactory(client=client_org, opportunity=deal, summary="需求沟通")
    response = signed_in("manager").get(convert_url(deal))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["template"].value() in (template, template.pk)
    assert form["manager"].value() in (users["manager"], users["manager"].pk)
    assert form["budget"].value() == Decimal("500000")
    assert form[f"stakeholder_{sponsor.pk}"].value() is True
    assert form[f"stakeholder_{bystander.pk}"].value() is False
    assert form[f"role_{sponsor.pk}"].value() == "sponsor"
    assert form["interactions"].value() == [note.pk]
    html = response.content.decode()
    assert "项目启动会" in html  # the template preview
    assert "需求沟通" in html


@pytest.mark.django_db
def test_the_template_preview_is_an_htmx_fragment(signed_in, client_org):
    template = make_template(name="咨询项目")
    deal = won_deal(client_org)
    response = signed_in("manager").get(
        convert_url(deal), {"template": template.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode() and "需求变更频繁" in response.content.decode()


@pytest.mark.django_db
def test_converting_through_the_wizard(signed_in, users, client_org):
    make_template(language="en", is_default=True)
    deal = won_deal(client_org)
    sponsor = ContactFactory(client=client_org, decision_role=DecisionRole.SPONSOR)
    user = ContactFactory(client=client_org, decision_role=DecisionRole.OTHER)
    proposal = add_attachment(
        deal, user=users["manager"], upload=SimpleUploadedFile("proposal.txt", b"p")
    )
    http = signed_in("manager")
    form = http.get(convert_url(deal)).context["form"]
    data = wizard_data(form, **{f"stakeholder_{user.pk}": "on", f"role_{user.pk}": "key_user"})
    response = http.post(convert_url(deal), data)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert {(s.contact, s.role) for s in project.stakeholders.all()} == {
        (sponsor, "sponsor"),
        (user, "key_user"),
    }
    assert [a.name for a in Attachment.objects.for_parent(project, users["manager"])] == [
        proposal.name
    ]
    page = http.get(response["Location"]).content.decode()
    assert project.code in page and "需求调研" in page and "需求变更频繁" in page
    assert 'data-testid="power-interest-grid"' in page and sponsor.name in page


@pytest.mark.django_db
def test_a_converted_deal_shows_its_project_and_offers_another(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])
    deal = project.opportunity
    http = signed_in("manager")
    page = http.get(convert_url(deal))
    html = page.content.decode()
    assert project.get_absolute_url() in html and "Create another project" in html
    assert page.context["show_form"] is False
    # Posting without asking for another project just leads to the existing one.
    form = http.get(convert_url(deal), {"another": 1}).context["form"]
    again = http.post(
        convert_url(deal), wizard_data(form, force_new="", template=project.template_id)
    )
    assert again.status_code == 302, again.context["form"].errors
    assert again["Location"] == project.get_absolute_url()
    assert Project.objects.count() == 1
    response = http.post(
        convert_url(deal), wizard_data(form, force_new="on", template=project.template_id)
    )
    assert response.status_code == 302 and Project.objects.count() == 2


@pytest.mark.django_db
def test_errors_are_shown_on_the_form_and_nothing_is_written(signed_in, client_org):
    make_template(language="en", is_default=True)
    deal = won_deal(client_org)
    http = signed_in("manager")
    form = http.get(convert_url(deal)).context["form"]
    response = http.post(convert_url(deal), wizard_data(form, manager="", start_date="soon"))
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"manager", "start_date"}
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_a_deal_that_is_not_won_shows_why_and_no_form(signed_in, client_org):
    deal = OpportunityFactory(client=client_org, stage=stage(StageKind.OPEN))
    response = signed_in("manager").get(convert_url(deal))
    assert response.status_code == 200 and response.context["form"] is None
    assert "Only a won deal" in response.content.decode()
    assert signed_in("manager").post(convert_url(deal), {}).status_code == 422
    assert not Project.objects.exists()


# ---- the project page and list -------------------------------------------------------------


@pytest.mark.django_db
def test_members_see_only_their_projects(signed_in, users, client_org):
    mine = make_project(client_org, manager=users["manager"])
    mine.members.add(users["member"])
    other = make_project(client_org, manager=users["manager"])
    http = signed_in("member")
    assert http.get(mine.get_absolute_url()).status_code == 200
    assert http.get(other.get_absolute_url()).status_code == 404
    listed = http.get(reverse("planning:project_list")).context["page"].object_list
    assert list(listed) == [mine]


@pytest.mark.django_db
def test_client_users_see_no_project_pages(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])
    portal = signed_in("client")
    for url in (
        reverse("planning:project_list"),
        project.get_absolute_url(),
        reverse("planning:template_list"),
        convert_url(project.opportunity),
    ):
        assert portal.get(url).status_code in (403, 404), url
    assert "Projects" not in portal.get(reverse("core:dashboard")).content.decode()


@pytest.mark.django_db
def test_the_project_list_filters(signed_in, users, client_org, other_client_org):
    first = make_project(client_org, manager=users["manager"])
    second = make_project(other_client_org, manager=users["admin"])
    http = signed_in("manager")
    url = reverse("planning:project_list")

    def listed(**params):
        return list(http.get(url, params).context["page"].object_list)

    assert set(listed()) == {first, second}
    assert listed(client=other_client_org.pk) == [second]
    assert listed(manager=users["manager"].pk) == [first]
    assert listed(q=first.code) == [first]
    assert listed(q="Northwind") == [second]
    assert listed(status="closed") == []
    fragment = http.get(url, {"q": "Northwind"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and second.code in fragment.content.decode()


@pytest.mark.django_db
def test_the_list_offers_won_deals_without_a_project(signed_in, users, client_org):
    converted = make_project(client_org, manager=users["manager"]).opportunity
    waiting = won_deal(client_org, title="待转换商机")
    page = signed_in("manager").get(reverse("planning:project_list"))
    assert page.context["unconverted"] == [waiting]
    assert convert_url(waiting) in page.content.decode()
    assert convert_url(converted) not in page.content.decode()
    assert signed_in("member").get(reverse("planning:project_list")).context["unconverted"] == []


def _project_with(client_org, manager, size):
    from charter.planning.services.templates import PhaseSpec, TaskSpec, TemplateContent

    content = TemplateContent(
        phases=tuple(
            PhaseSpec(f"阶段 {p}", tuple(TaskSpec(f"任务 {p}.{t}") for t in range(size)))
            for p in range(size)
        ),
        checklist=tuple(f"步骤 {i}" for i in range(size)),
    )
    deal = won_deal(client_org)
    contacts = [ContactFactory(client=client_org) for _ in range(size)]
    notes = [InteractionFactory(client=client_org, opportunity=deal).pk for _ in range(size)]
    from charter.planning.services import convert_opportunity

    return convert_opportunity(
        deal,
        actor=manager,
        template=make_template(content=content, name=f"模板 {size}"),
        manager=manager,
        start_date=deal.created_at.date(),
        stakeholders=[(contact, "key_user") for contact in contacts],
        carry_interactions=notes,
    )


@pytest.mark.django_db
def test_the_project_page_costs_the_same_however_big(
    signed_in, users, client_org, django_assert_num_queries
):
    small = _project_with(client_org, users["manager"], 2)
    big = _project_with(client_org, users["manager"], 6)
    http = signed_in("manager")
    http.get(small.get_absolute_url())  # warm the content-type cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert http.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as big_queries:
        assert http.get(big.get_absolute_url()).status_code == 200
    assert len(big_queries) == len(small_queries)


@pytest.mark.django_db
def test_editing_the_budget_is_versioned_and_audited(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])
    http = signed_in("manager")
    url = reverse("planning:project_edit", args=[project.pk])
    form = http.get(url, headers={"HX-Request": "true"})
    assert form.status_code == 200 and "<html" not in form.content.decode()
    data = {
        "version": 1,
        "name": project.name,
        "budget": "123456.78",
        "status": "planning",
        "manager": users["manager"].pk,
        "start_date": "2026-12-07",
    }
    saved = http.post(url, data, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "123,456.78" in saved.content.decode()
    project.refresh_from_db()
    assert (project.budget, project.status, project.version) == (
        Decimal("123456.78"),
        "planning",
        2,
    )
    event = AuditEvent.objects.for_object(project).filter(action="updated").get()
    assert event.changes["budget"] == ["100000.00", "123456.78"]
    stale = http.post(url, {**data, "budget": "1"})
    assert stale.status_code == 409 and "Someone else saved" in stale.content.decode()
    project.refresh_from_db()
    assert project.budget == Decimal("123456.78")


@pytest.mark.django_db
def test_ticking_kickoff_steps(signed_in, users, client_org):
    project = make_project(client_org, manager=users["manager"])
    project.members.add(users["member"])
    item = project.kickoff.first()
    http = signed_in("member")
    url = reverse("planning:kickoff_toggle", args=[project.pk, item.pk])
    response = http.post(url, {"done": "on"}, headers={"HX-Request": "true"})
    assert (
        response.status_code == 200 and "text-decoration-line-through" in response.content.decode()
    )
    assert KickoffItem.objects.get(pk=item.pk).done is True
    assert AuditEvent.objects.for_object(project).filter(action="kickoff_done").count() == 1
    http.post(url, {})
    assert KickoffItem.objects.get(pk=item.pk).done is False
    other = make_project(client_org, manager=users["manager"])
    other_url = reverse("planning:kickoff_toggle", args=[other.pk, other.kickoff.first().pk])
    assert http.post(other_url, {"done": "on"}).status_code == 404


# ---- project templates ---------------------------------------------------------------------

EDITOR = {
    "name": "Consulting engagement",
    "description": "Advisory work",
    "language": "en",
    "is_default": "on",
    "phases": "Kick-off\n- Kick-off meeting | 1 | milestone\n- Interviews | 5\n"
    "Report\n- Final report | 3",
    "communications": "Weekly status report | Sponsor | weekly | email\n"
    "Steering meeting | Board | bi-weekly | WeCom",
    "risks": "Scope creep | 4 | 3 | mitigate\nKey users unavailable | 3 | 4",
    "checklist": "Charter signed\nTeam introduced",
}


@pytest.mark.django_db
def test_creating_a_template_with_the_line_editor(signed_in):
    response = signed_in("manager").post(reverse("planning:template_create"), EDITOR)
    template = ProjectTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    phases = [
        (p.name, [(t.name, t.duration_days, t.is_milestone) for t in p.tasks.all()])
        for p in template.phases.all()
    ]
    assert phases == [
        ("Kick-off", [("Kick-off meeting", 1, True), ("Interviews", 5, False)]),
        ("Report", [("Final report", 3, False)]),
    ]
    assert [c.channel for c in template.communications.all()] == ["email", "wecom"]
    assert [(r.probability, r.impact, r.response) for r in template.risks.all()] == [
        (4, 3, "mitigate"),
        (3, 4, "mitigate"),
    ]
    assert [i.title for i in template.checklist.all()] == ["Charter signed", "Team introduced"]
    assert template.is_default


@pytest.mark.django_db
def test_the_line_editor_names_the_lines_it_cannot_read(signed_in):
    data = {**EDITOR, "phases": "- task before any phase", "risks": "Scope | 9 | 3"}
    response = signed_in("manager").post(reverse("planning:template_create"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "Line 1" in errors["phases"][0] and "Line 1" in errors["risks"][0]
    assert not ProjectTemplate.objects.exists()


@pytest.mark.django_db
def test_editing_round_trips_the_text_and_detects_stale_saves(signed_in):
    http = signed_in("manager")
    http.post(reverse("planning:template_create"), EDITOR)
    template = ProjectTemplate.objects.get()
    url = reverse("planning:template_edit", args=[template.pk])
    form = http.get(url).context["form"]
    assert form["phases"].value() == (
        "Kick-off\n- Kick-off meeting | 1 | milestone\n- Interviews | 5\nReport\n- Final report | 3"
    )
    changed = {**EDITOR, "version": 1, "checklist": "Charter signed"}
    assert http.post(url, changed).status_code == 302
    assert [i.title for i in template.checklist.all()] == ["Charter signed"]
    event = AuditEvent.objects.for_object(template).filter(action="updated").get()
    assert event.changes["kickoff"] == [2, 1]
    assert http.post(url, {**changed, "checklist": "x"}).status_code == 409


@pytest.mark.django_db
def test_communication_lines_carry_a_type_and_a_recurrence_rule(signed_in):
    http = signed_in("manager")
    lines = (
        "Weekly status report | Sponsor | every Friday | email | status_report | "
        "FREQ=WEEKLY;BYDAY=FR\n"
        "Steering meeting | Board | monthly | WeCom | Meeting | FREQ=MONTHLY;BYMONTHDAY=1\n"
        "Go-live notice | Everyone | once | email"
    )
    assert http.post(reverse("planning:template_create"), {**EDITOR, "communications": lines})
    template = ProjectTemplate.objects.get()
    rows = [(c.kind, c.rule) for c in template.communications.all()]
    assert rows == [
        ("status_report", "FREQ=WEEKLY;BYDAY=FR"),
        ("meeting", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("custom", ""),
    ]
    detail = http.get(template.get_absolute_url()).content.decode()
    assert "Status report" in detail and "<code" in detail and "FREQ=WEEKLY;BYDAY=FR" in detail
    form = http.get(reverse("planning:template_edit", args=[template.pk])).context["form"]
    assert form["communications"].value() == (
        "Weekly status report | Sponsor | every Friday | email | status_report | "
        "FREQ=WEEKLY;BYDAY=FR\n"
        "Steering meeting | Board | monthly | wecom | meeting | FREQ=MONTHLY;BYMONTHDAY=1\n"
        "Go-live notice | Everyone | once | email"
    )


@pytest.mark.django_db
def test_a_rule_that_cannot_be_used_is_a_field_error(signed_in):
    http = signed_in("manager")
    for rule in ("FREQ=HOURLY", "every friday", "FREQ=WEEKLY;BYDAY=XX"):
        line = f"Status report | Sponsor | weekly | email | status_report | {rule}"
        data = {**EDITOR, "communications": line}
        response = http.post(reverse("planning:template_create"), data)
        assert response.status_code == 422, rule
        [error] = response.context["form"].errors["communications"]
        assert error.startswith("Line 1: the recurrence rule cannot be used:"), error
    bad_type = {**EDITOR, "communications": "Report | Sponsor | weekly | email | newsletter"}
    response = http.post(reverse("planning:template_create"), bad_type)
    assert "Line 1" in response.context["form"].errors["communications"][0]
    assert not ProjectTemplate.objects.exists()


@pytest.mark.django_db
def test_clone_and_delete(signed_in, users, client_org):
    used = make_project(client_org, manager=users["manager"]).template
    http = signed_in("manager")
    response = http.post(reverse("planning:template_clone", args=[used.pk]))
    copy = ProjectTemplate.objects.get(name="软件实施 (copy)")
    assert response["Location"] == copy.get_absolute_url()
    assert copy.phases.count() == 2 and copy.risks.count() == 2 and not copy.is_default
    http.post(reverse("planning:template_delete", args=[used.pk]))
    assert ProjectTemplate.objects.filter(pk=used.pk).exists()  # in use: kept
    assert http.post(reverse("planning:template_delete", args=[copy.pk])).status_code == 302
    assert not ProjectTemplate.objects.filter(pk=copy.pk).exists()
    assert (
        signed_in("member").post(reverse("planning:template_clone", args=[used.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_team_is_edited_with_the_header_and_audited(signed_in, users, client_org):
    http = signed_in("manager")
    project = make_project(client_org, manager=users["manager"])
    url = reverse("planning:project_edit", args=[project.pk])
    data = {
        "version": project.version,
        "name": project.name,
        "budget": "1000",
        "status": project.status,
        "manager": users["manager"].pk,
        "start_date": project.start_date.isoformat(),
        "team": [users["member"].pk],
    }
    assert http.post(url, data).status_code == 302
    project = Project.objects.get(pk=project.pk)
    assert set(project.members.all()) == {users["member"], users["manager"]}
    event = AuditEvent.objects.filter(action="updated").latest("pk")
    assert str(users["member"]) in event.changes["members"][1]
    page = signed_in("member").get(project.get_absolute_url())
    assert page.status_code == 200  # a member sees the project once on its team
    refused = http.post(url, {**data, "version": project.version, "team": [users["client"].pk]})
    assert refused.status_code == 422
    assert set(project.members.all()) == {users["member"], users["manager"]}
