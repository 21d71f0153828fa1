from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.comms.log import failed_messages
from charter.core import audit, policy, services
from charter.core.forms import AttachmentForm
from charter.core.models import Attachment, AuditEvent
from charter.core.querysets import get_for_user
from charter.crm.models import Client
from charter.crm.services.interactions import due_follow_ups
from charter.crm.services.pipeline import pipeline_summary
from charter.planning.models import Project


@require_GET
@policy.requires("core.dashboard", "view")
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.role_of(user) == policy.CLIENT:
        client = Client.objects.for_user(user).get()
        shared = Attachment.objects.for_parent(client, user)[:20]
        projects = Project.objects.shared_with(user).order_by("-start_date", "-pk")[:20]
        return render(
            request,
            "core/dashboard_client.html",
            {"client": client, "shared": shared, "projects": projects},
        )
    summary = pipeline_summary(user)
    context = {
        "client_count": Client.objects.for_user(user).count(),
        "recent": AuditEvent.objects.for_user(user).select_related("actor")[:10],
        "follow_ups": due_follow_ups(user)[:5],
        "follow_up_count": due_follow_ups(user).count(),
        "pipeline": summary,
        "pipeline_chart": {
            "labels": [label for label, _count in summary.stages],
            "counts": [count for _label, count in summary.stages],
        },
        "my_projects": (
            Project.objects.for_user(user).involving(user).running().select_related("client")[:6]
        ),
        "failed_messages": failed_messages(user),
    }
    return render(request, "core/dashboard.html", context)


@require_GET
@policy.requires("core.auditevent", "view")
def history(request: HttpRequest, label: str, pk: str) -> HttpResponse:
    obj = get_for_user(label, pk, request.user, "view", capability="charter_history")
    events = AuditEvent.objects.for_user(request.user).for_object(obj).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = audit.readable_by(request.user, page.object_list, type(obj))
    return render(request, "core/history.html", {"object": obj, "page": page})


def _attachments_panel(
    request: HttpRequest, parent: object, form: AttachmentForm | None = None
) -> HttpResponse:
    context = {
        "parent": parent,
        "parent_label": parent._meta.label_lower,  # type: ignore[attr-defined]
        "attachments": Attachment.objects.for_parent(parent, request.user),  # type: ignore[arg-type]
        "form": form or AttachmentForm(),
        "can_add": policy.allows(request.user, "core.attachment", "add"),
    }
    status = 422 if form is not None and form.errors else 200
    return render(request, "core/partials/attachments.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("core.attachment", "view")
def attachments(request: HttpRequest, label: str, pk: str) -> HttpResponse:
    """The attachments panel of an object (HTMX fragment); POST uploads a file."""
    parent = get_for_user(label, pk, request.user, "view", capability="charter_attachable")
    if request.method == "GET":
        return _attachments_panel(request, parent)
    policy.check(request.user, "core.attachment", "add")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(parent, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("upload", error)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("The file was uploaded."))
                return redirect(parent.get_absolute_url())  # type: ignore[attr-defined]
            return _attachments_panel(request, parent)
    return _attachments_panel(request, parent, form)


@require_GET
@policy.requires("core.attachment", "view")
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    return attachment_file_response(Attachment.objects.get_for_user(attachment_id, request.user))


def attachment_file_response(attachment: Attachment) -> FileResponse:
    """The file as a download browsers neither sniff nor cache (the API serves it the same way)."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@policy.requires("core.attachment", "delete")
def attachment_delete(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = Attachment.objects.get_for_user(attachment_id, request.user)
    parent = attachment.parent
    services.delete_attachment(attachment, user=request.user)
    if request.htmx:  # type: ignore[attr-defined]
        return _attachments_panel(request, parent)
    messages.success(request, _("The file was deleted."))
    return redirect(parent)


@require_GET
@policy.public
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: answers once the database answers."""
    AuditEvent.objects.exists()
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in a context processor or the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
