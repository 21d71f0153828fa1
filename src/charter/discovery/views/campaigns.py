"""Questionnaire campaigns of a project or a deal: list, create, send (links shown once),
remind, re-issue one link, close, edit, and the results with their export."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.discovery.choices import CampaignStatus
from charter.discovery.forms.campaigns import CampaignEditForm, CampaignForm
from charter.discovery.models import Campaign, Invitation
from charter.discovery.services import campaigns as service
from charter.discovery.services import responses
from charter.discovery.services.responses import Respondent, Results, display_value
from charter.discovery.views.parents import parent_paths, parent_url, visible_parent

PER_PAGE = 25


def _campaign(request: HttpRequest, pk: int, action: str) -> Campaign:
    rows = Campaign.objects.for_user(request.user, action).select_related(
        "project", "opportunity", "questionnaire", "created_by"
    )
    return get_object_or_404(rows, pk=pk)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def with_rates(rows: Any) -> Any:
    """Annotate invited / submitted counts, for the response rate of each campaign; newest
    first (an aggregate drops the model's default ordering)."""
    return rows.order_by("-created_at", "-pk").annotate(
        invited=Count("invitations", distinct=True),
        submitted=Count(
            "invitations",
            filter=Q(invitations__response__submitted_at__isnull=False),
            distinct=True,
        ),
    )


@require_GET
@policy.requires("discovery.campaign", "view")
def campaign_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    status = request.GET.get("status", "")
    rows = with_rates(
        Campaign.objects.for_user(request.user)
        .filter(**{kind: parent})
        .select_related("questionnaire")
    )
    if status in CampaignStatus.values:
        rows = rows.filter(status=status)
    context = {
        "parent": parent,
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "status": status,
        "statuses": CampaignStatus.choices,
        "create_url": parent_url(parent, "campaign_create"),
    }
    return render(request, "discovery/campaigns/list.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.campaign", "add")
def campaign_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    form = CampaignForm(parent, request.user, request.POST or None)
    status: int | None = 200
    created: list[Campaign] = []
    if request.method == "POST":
        status = submit(
            form,
            lambda _data: created.append(
                service.create_campaign(parent, actor=request.user, **form.service_fields())
            ),
        )
        if created:
            messages.success(request, _("The campaign was created. Check it, then send it."))
            return redirect(created[0])
    context = {
        "form": form,
        "parent": parent,
        "campaign": None,
        "cancel_url": parent_url(parent, "campaigns"),
    }
    return render(request, "discovery/campaigns/form.html", context, status=status or 200)


@require_GET
@policy.requires("discovery.campaign", "view")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "view")
    invitations = campaign.invitations.select_related("contact", "response").order_by(
        "contact__name", "pk"
    )
    context = {
        "campaign": campaign,
        "parent": campaign.parent,
        "invitations": invitations,
        "reminder_count": service.reminder_targets(campaign).count(),
    }
    return render(request, "discovery/campaigns/detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires("discovery.campaign", "change")
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "change")
    form = CampaignEditForm.for_campaign(campaign, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: service.update_campaign(
                campaign,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("The campaign was saved."))
            return redirect(campaign)
        campaign.refresh_from_db()
    context = {
        "form": form,
        "parent": campaign.parent,
        "campaign": campaign,
        "cancel_url": campaign.get_absolute_url(),
    }
    return render(request, "discovery/campaigns/form.html", context, status=status)


def _act(request: HttpRequest, campaign: Campaign, act: Callable[[], Any]) -> Any:
    """Run a state change; a refused one (ValidationError) becomes an error message."""
    try:
        return act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None


def _links_page(
    request: HttpRequest, campaign: Campaign, links: list[service.IssuedLink]
) -> HttpResponse:
    context = {"campaign": campaign, "parent": campaign.parent, "links": links}
    return render(request, "discovery/campaigns/links.html", context)


@require_POST
@policy.requires("discovery.campaign", "change")
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a draft: answers with the page of links, shown this once."""
    campaign = _campaign(request, pk, "change")
    links = _act(
        request,
        campaign,
        lambda: service.send_campaign(campaign, actor=request.user, base_url=_base_url(request)),
    )
    if links is None:
        return redirect(campaign)
    campaign.refresh_from_db()
    return _links_page(request, campaign, links)


@require_POST
@policy.requires("discovery.campaign", "change")
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "change")
    count = _act(
        request,
        campaign,
        lambda: service.remind_campaign(campaign, actor=request.user, base_url=_base_url(request)),
    )
    if count is not None:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(count)d contact.",
                "Reminders were sent to %(count)d contacts.",
                count,
            )
            % {"count": count},
        )
    return redirect(campaign)


@require_POST
@policy.requires("discovery.campaign", "change")
def campaign_resend_link(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """A new link for one contact; the old one stops working."""
    campaign = _campaign(request, pk, "change")
    invitation = get_object_or_404(Invitation, campaign=campaign, pk=invitation_pk)
    link = _act(
        request,
        campaign,
        lambda: service.resend_link(invitation, actor=request.user, base_url=_base_url(request)),
    )
    if link is None:
        return redirect(campaign)
    return _links_page(request, campaign, [link])


@require_POST
@policy.requires("discovery.campaign", "change")
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "change")
    if _act(request, campaign, lambda: service.close_campaign(campaign, actor=request.user)):
        messages.success(request, _("The campaign is closed; its links no longer take answers."))
    return redirect(campaign)


def export_columns(results: Results) -> list[Column]:
    """One row per respondent: who, when, then one column per question."""

    def answer_of(question: Any) -> Callable[[Respondent], str]:
        return lambda row: display_value(question, row.answers.get(question.pk))

    return [
        Column(gettext_lazy("Contact"), lambda row: row.name),
        Column(gettext_lazy("E-mail"), lambda row: row.email),
        Column(gettext_lazy("Submitted"), lambda row: row.submitted_at),
        *(Column(item.question.text, answer_of(item.question)) for item in results.questions),
    ]


@require_GET
@policy.requires("discovery.campaign", "view")
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Response rate, a chart per question, free text, the Kano table; CSV/XLSX export."""
    campaign = _campaign(request, pk, "view")
    results = responses.campaign_results(campaign)
    if fmt := request.GET.get("format"):
        return export_response(
            results.respondents, export_columns(results), fmt=fmt, name="responses"
        )
    context = {"campaign": campaign, "parent": campaign.parent, "results": results}
    return render(request, "discovery/campaigns/results.html", context)


@require_GET
@policy.requires("discovery.campaign", "change")
def campaign_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Every invitee's personal link again, to pass on by chat or phone."""
    campaign = _campaign(request, pk, "change")
    if campaign.status != CampaignStatus.OPEN:
        messages.info(request, _("Links exist only while the campaign is open."))
        return redirect(campaign)
    base_url = request.build_absolute_uri("/")
    invitations = campaign.invitations.select_related("contact").order_by("contact__name", "pk")
    links = [service.IssuedLink(row, row.link(base_url)) for row in invitations]
    return _links_page(request, campaign, links)


urls = [
    *parent_paths("campaigns/", campaign_list, "campaigns"),
    *parent_paths("campaigns/new/", campaign_create, "campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/send/", campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/remind/", campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/links/", campaign_links, name="campaign_links"),
    path(
        "campaigns/<int:pk>/invitations/<int:invitation_pk>/new-link/",
        campaign_resend_link,
        name="campaign_resend_link",
    ),
    path("campaigns/<int:pk>/close/", campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/results/", campaign_results, name="campaign_results"),
]
