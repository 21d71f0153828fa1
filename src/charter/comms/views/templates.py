"""Message template pages: the list by type (the default marked), write or edit a template with
both languages side by side, the variables beside them and a live preview (HTMX posts the form
to the preview, which fills it in from a project the user chooses), make one the default, and
delete with confirmation (refused while plan items rely on it)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.comms import services_templates as services
from charter.comms import templating
from charter.comms.forms.templates import PreviewForm, TemplateEditForm, TemplateForm
from charter.comms.models import CommunicationKind, MessageTemplate
from charter.core import policy
from charter.core.forms import submit

RESOURCE = "comms.messagetemplate"
LANGUAGES = (("zh", templating.CHINESE), ("en", "en"))


def _template(request: HttpRequest, pk: int, action: str) -> MessageTemplate:
    return get_object_or_404(MessageTemplate.objects.for_user(request.user, action), pk=pk)


def list_url() -> str:
    return reverse("comms:template_list")


@require_GET
@policy.requires(RESOURCE, "view")
def template_list(request: HttpRequest) -> HttpResponse:
    """Every template under its type, the default first, with how many plan items chose it."""
    rows = (
        MessageTemplate.objects.for_user(request.user)
        .annotate(item_count=Count("items"))
        .order_by("kind", "-is_default", "name", "pk")
    )
    by_kind: dict[str, list[MessageTemplate]] = {}
    for template in rows:
        by_kind.setdefault(template.kind, []).append(template)
    groups = [
        {
            "kind": kind,
            "templates": by_kind.get(kind.value, []),
            "has_default": any(t.is_default for t in by_kind.get(kind.value, [])),
            "create_url": f"{reverse('comms:template_create')}?kind={kind.value}",
        }
        for kind in CommunicationKind
    ]
    context = {
        "groups": groups,
        "any_template": bool(by_kind),
        "create_url": reverse("comms:template_create"),
    }
    return render(request, "comms/message_templates/template_list.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "add")
def template_create(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in CommunicationKind.values else {}
    form = TemplateForm(request.POST or None, initial=initial)
    status: int | None = 200
    if request.method == "POST":
        created: list[MessageTemplate] = []
        status = submit(
            form,
            lambda data: created.append(
                services.create_template(actor=request.user, **form.service_fields())
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was added.") % {"name": created[0]})
            return redirect(list_url())
    return _form_page(request, form, None, status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a template; a save based on an older version is refused (409)."""
    template = _template(request, pk, "change")
    form = TemplateEditForm(request.POST or None, initial=TemplateEditForm.initial_of(template))
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_template(
                template,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was saved.") % {"name": template})
            return redirect(list_url())
        template.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, form, template, status or 200)


def _form_page(
    request: HttpRequest, form: TemplateForm, template: MessageTemplate | None, status: int
) -> HttpResponse:
    preview_form = PreviewForm(user=request.user)
    context = {
        "form": form,
        "template": template,
        "variables": templating.VARIABLES.items(),
        "preview_project": preview_form["preview_project"],
        "preview": _previews(request, form.data or form.initial, facts=None),
        "cancel_url": list_url(),
    }
    return render(request, "comms/message_templates/template_form.html", context, status=status)


def _previews(request: HttpRequest, words: Any, *, facts: dict[str, Any] | None) -> list[Any]:
    """Each language's words filled in: (code, label, Rendered or None, errors)."""
    labels = {"zh": _("Chinese"), "en": _("English")}
    template = MessageTemplate(**{name: words.get(name, "") or "" for name in services.WORD_FIELDS})
    previews: list[tuple[str, str, templating.Rendered | None, list[str]]] = []
    for code, language in LANGUAGES:
        try:
            rendered = services.preview(
                template, language=language, owner=request.user, facts=facts
            )
        except ValidationError as error:
            previews.append((code, labels[code], None, error.messages))
        else:
            previews.append((code, labels[code], rendered, []))
    return previews


@require_POST
@policy.requires(RESOURCE, "view")
def template_preview(request: HttpRequest) -> HttpResponse:
    """The preview partial: the posted words in both languages, filled in from the chosen
    project's facts (one the user may see) or from sample values."""
    form = PreviewForm(request.POST, user=request.user)
    if not form.is_valid():  # only an unknown project can be wrong: show the sample values
        form = PreviewForm({**request.POST.dict(), "preview_project": ""}, user=request.user)
        form.is_valid()
    project = form.cleaned_data.get("preview_project")
    facts = templating.project_facts(project, base_url=templating.site_url()) if project else None
    context = {"preview": _previews(request, form.cleaned_data, facts=facts), "project": project}
    return render(request, "comms/message_templates/_preview.html", context)


@require_POST
@policy.requires(RESOURCE, "change")
def template_default(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a template the default of its type (the previous default is one no longer)."""
    template = _template(request, pk, "change")
    services.set_default(template, actor=request.user)
    messages.success(
        request,
        _("“%(name)s” is now the default for “%(kind)s”.")
        % {"name": template, "kind": template.get_kind_display()},
    )
    return redirect(list_url())


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "delete")
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (or says which projects still rely on it); POST deletes."""
    template = _template(request, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_template(template, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": template})
        return redirect(list_url())
    context = {
        "template": template,
        "projects": services.projects_using(template),
        "cancel_url": list_url(),
    }
    return render(request, "comms/message_templates/template_delete.html", context)


urls = [
    path("comms/templates/", template_list, name="template_list"),
    path("comms/templates/new/", template_create, name="template_create"),
    path("comms/templates/preview/", template_preview, name="template_preview"),
    path("comms/templates/<int:pk>/edit/", template_edit, name="template_edit"),
    path("comms/templates/<int:pk>/default/", template_default, name="template_default"),
    path("comms/templates/<int:pk>/delete/", template_delete, name="template_delete"),
]
