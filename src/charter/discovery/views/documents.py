"""Requirements document pages: the live draft, edit, publish, versions, diff, send for
confirmation, DOCX and print exports."""

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.discovery.choices import Decision
from charter.discovery.docx import document_docx_bytes
from charter.discovery.forms.documents import (
    DiffForm,
    DocumentCreateForm,
    DocumentEditForm,
    PublishForm,
    SendForm,
)
from charter.discovery.models import DocumentVersion, RequirementsDocument
from charter.discovery.services import documents as services
from charter.discovery.services.document_content import (
    NARRATIVE_FIELDS,
    content_hash,
    diff_contents,
    present,
)
from charter.discovery.views.parents import parent_paths, parent_url, visible_parent

RESOURCE = "discovery.requirementsdocument"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _document(request: HttpRequest, pk: int, action: str) -> RequirementsDocument:
    rows = RequirementsDocument.objects.for_user(request.user, action).select_related(
        "project", "opportunity"
    )
    return get_object_or_404(rows, pk=pk)


def _version(request: HttpRequest, pk: int, action: str) -> DocumentVersion:
    documents = RequirementsDocument.objects.for_user(request.user, action)
    rows = DocumentVersion.objects.filter(document__in=documents).select_related(
        "document__project", "document__opportunity", "published_by"
    )
    return get_object_or_404(rows, pk=pk)


def _page_url(document: RequirementsDocument) -> str:
    return parent_url(document.parent, "document")


def sections_in_language(content: dict[str, Any]) -> list[Any]:
    """The content's sections with headings and labels in the document's language."""
    with translation.override(content["language"]):
        return present(content)


def _versions(document: RequirementsDocument) -> list[DocumentVersion]:
    confirmed = Count("confirmations", filter=Q(confirmations__decision=Decision.CONFIRMED))
    asked = Count("confirmations")
    return list(
        document.versions.select_related("published_by")
        .annotate(confirmed_count=confirmed, asked_count=asked)
        .order_by("-number")
    )


@require_GET
@policy.requires(RESOURCE, "view")
def document_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The live draft as it would be published, its status and its versions; without a
    document yet, the page to start one."""
    parent = visible_parent(request.user, kind, pk)
    document = RequirementsDocument.objects.for_user(request.user).filter(**{kind: parent}).first()
    if document is None:
        form = DocumentCreateForm(initial={"language": translation.get_language()})
        return render(request, "discovery/documents/start.html", {"parent": parent, "form": form})
    content = services.draft_content(document)
    context = {
        "parent": parent,
        "document": document,
        "content": content,
        "sections": sections_in_language(content),
        "status": services.document_status(document, content=content),
        "versions": _versions(document),
    }
    return render(request, "discovery/documents/document.html", context)


@require_POST
@policy.requires(RESOURCE, "change")
def document_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    parent = visible_parent(request.user, kind, pk)
    form = DocumentCreateForm(request.POST)
    status = submit(
        form,
        lambda data: services.create_document(
            parent, actor=request.user, language=data["language"]
        ),
    )
    if status is not None:
        context = {"parent": parent, "form": form}
        return render(request, "discovery/documents/start.html", context, status=status)
    messages.success(request, _("The requirements document was started."))
    return redirect(parent_url(parent, "document"))


@require_GET
@policy.requires(RESOURCE, "view")
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document's own address: its page under the project or deal."""
    return redirect(_page_url(_document(request, pk, "view")))


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the draft's narrative, title, language and required confirmers; a save based on an
    older version is refused (409). Published versions never change."""
    document = _document(request, pk, "change")
    form = DocumentEditForm.for_document(document, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        fields = ("title", "language", *NARRATIVE_FIELDS, "confirmers")
        status = submit(
            form,
            lambda data: services.update_document(
                document,
                actor=request.user,
                expected_version=data["version"],
                **{name: data[name] for name in fields},
            ),
        )
        if status is None:
            messages.success(request, _("The draft was saved."))
            return redirect(_page_url(document))
        document.refresh_from_db()
    context = {"form": form, "document": document, "parent": document.parent}
    return render(request, "discovery/documents/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "publish")
def document_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Freeze the draft as the next version, with an optional note of what changed."""
    document = _document(request, pk, "publish")
    form = PublishForm(request.POST or None)
    status: int | None = 200
    published: list[DocumentVersion] = []
    if request.method == "POST":
        status = submit(
            form,
            lambda data: published.append(
                services.publish_document(document, actor=request.user, note=data["note"])
            ),
        )
        if published:
            messages.success(
                request, _("Version %(number)s was published.") % {"number": published[0].number}
            )
            return redirect(published[0])
    context = {
        "form": form,
        "document": document,
        "parent": document.parent,
        "status": services.document_status(document),
    }
    return render(request, "discovery/documents/publish.html", context, status=status)


@require_GET
@policy.requires(RESOURCE, "view")
def document_version(request: HttpRequest, pk: int) -> HttpResponse:
    """A version exactly as published (from its frozen content), with its confirmations."""
    version = _version(request, pk, "view")
    document = version.document
    confirmations = version.confirmations.select_related("contact", "sent_by").prefetch_related(
        "comments"
    )
    latest = document.versions.order_by("-number").values_list("number", flat=True).first()
    context = {
        "version": version,
        "document": document,
        "parent": document.parent,
        "sections": sections_in_language(version.content),
        "confirmations": confirmations,
        "latest_number": latest,
        "hash_ok": content_hash(version.content) == version.content_hash,
    }
    return render(request, "discovery/documents/version.html", context)


@require_GET
@policy.requires(RESOURCE, "view")
def document_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions: per section the narrative (insertions and deletions
    marked) and the requirements added, removed or changed."""
    document = _document(request, pk, "view")
    versions = {version.number: version for version in document.versions.all()}
    numbers = sorted(versions)
    data: Any = request.GET if "from" in request.GET or "to" in request.GET else None
    if data is None and len(numbers) >= 2:
        data = {"from": numbers[-2], "to": numbers[-1]}
    form = DiffForm(data, numbers=numbers)
    context: dict[str, Any] = {"document": document, "parent": document.parent, "form": form}
    status = 200
    if data is not None and form.is_valid():
        old, new = versions[form.cleaned_data["from"]], versions[form.cleaned_data["to"]]
        with translation.override(new.content["language"]):
            context["sections"] = _labelled_diff(old.content, new.content)
        context |= {"old": old, "new": new}
    elif data is not None:
        status = 422
    return render(request, "discovery/documents/diff.html", context, status=status)


def _labelled_diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    headings = {view.key: view.heading for view in present(new)}
    return [
        {"heading": headings[section.key], "diff": section} for section in diff_contents(old, new)
    ]


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "send")
def document_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a version to contacts of the client: each gets a personal link, shown here once."""
    version = _version(request, pk, "send")
    document = version.document
    initial = {"contacts": list(document.confirmers.all())}
    form = SendForm(request.POST or None, initial=initial, version=version)
    status: int | None = 200
    invites: list[services.Invite] = []
    context: dict[str, Any] = {"version": version, "document": document, "parent": document.parent}
    if request.method == "POST":
        base_url = request.build_absolute_uri("/")
        status = submit(
            form,
            lambda data: invites.extend(
                services.send_version(
                    version,
                    actor=request.user,
                    contacts=list(data["contacts"]),
                    valid_days=data["valid_days"],
                    base_url=base_url,
                )
            ),
        )
        if invites:
            context["links"] = [
                (invite.request, invite.request.link(base_url)) for invite in invites
            ]
            return render(request, "discovery/documents/sent.html", context)
    context["form"] = form
    return render(request, "discovery/documents/send.html", context, status=status)


def _chosen_content(request: HttpRequest, document: RequirementsDocument) -> tuple[Any, Any]:
    """``?version=N`` → that version's content; none → the draft's. Unknown → 404."""
    number = request.GET.get("version")
    if not number:
        return services.draft_content(document), None
    if not number.isdigit():
        raise Http404
    version = get_object_or_404(document.versions, number=int(number))
    return version.content, version


@require_GET
@policy.requires(RESOURCE, "view")
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The document (a version, or the draft) as a Word file, in the document's language."""
    document = _document(request, pk, "view")
    content, version = _chosen_content(request, document)
    body = document_docx_bytes(content, version=version)
    response = HttpResponse(body, content_type=DOCX_TYPE)
    suffix = f"v{version.number}" if version else "draft"
    filename = f"requirements-{document.pk}-{suffix}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@policy.requires(RESOURCE, "view")
def document_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A print-ready page of the document (a version, or the draft), for "Save as PDF"."""
    document = _document(request, pk, "view")
    content, version = _chosen_content(request, document)
    with translation.override(content["language"]):
        context = {
            "document": document,
            "content": content,
            "sections": present(content),
            "version": version,
            "hash": version.content_hash if version else content_hash(content),
            "back_url": version.get_absolute_url() if version else _page_url(document),
        }
        return render(request, "discovery/documents/print.html", context)


urls = [
    *parent_paths("document/", document_page, "document"),
    *parent_paths("document/new/", document_create, "document_create"),
    path("documents/<int:pk>/", document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", document_edit, name="document_edit"),
    path("documents/<int:pk>/publish/", document_publish, name="document_publish"),
    path("documents/<int:pk>/diff/", document_diff, name="document_diff"),
    path("documents/<int:pk>/docx/", document_docx, name="document_docx"),
    path("documents/<int:pk>/print/", document_print, name="document_print"),
    path("document-versions/<int:pk>/", document_version, name="document_version"),
    path("document-versions/<int:pk>/send/", document_send, name="document_send"),
]
