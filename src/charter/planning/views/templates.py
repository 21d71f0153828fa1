"""Project templates: list, look, create, edit (a line-based editor), clone, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import add_service_errors, submit
from charter.planning import services
from charter.planning.forms import TemplateEditForm, TemplateForm, content_as_text
from charter.planning.models import ProjectTemplate
from charter.planning.services.templates import TEMPLATE_FIELDS, template_content
from charter.planning.views.conversion import TEMPLATE_CONTENTS


def _templates(request: HttpRequest, action: str = "view") -> QuerySet[ProjectTemplate]:
    return ProjectTemplate.objects.for_user(request.user, action).prefetch_related(
        *TEMPLATE_CONTENTS
    )


@require_GET
@policy.requires("planning.projecttemplate", "view")
def template_list(request: HttpRequest) -> HttpResponse:
    templates = ProjectTemplate.objects.for_user(request.user).annotate(
        phase_count=Count("phases", distinct=True),
        project_count=Count("projects", distinct=True),
    )
    return render(request, "planning/template_list.html", {"templates": templates})


@require_GET
@policy.requires("planning.projecttemplate", "view")
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(_templates(request), pk=pk)
    in_use = template.projects.exists()
    return render(
        request, "planning/template_detail.html", {"template": template, "in_use": in_use}
    )


@require_http_methods(["GET", "POST"])
@policy.requires("planning.projecttemplate", "add")
def template_create(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(
        request.POST or None, initial={"language": getattr(request.user, "language", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = services.create_template(
                actor=request.user, content=form.content(), **form.fields_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The template %(name)s was created.") % {"name": template})
            return redirect(template)
    status = 422 if form.errors else 200
    return render(request, "planning/template_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires("planning.projecttemplate", "change")
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(_templates(request, "change"), pk=pk)
    initial = {
        **{name: getattr(template, name) for name in TEMPLATE_FIELDS},
        **content_as_text(template_content(template)),
        "version": template.version,
    }
    form = TemplateEditForm(request.POST or None, initial=initial)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_template(
                template,
                actor=request.user,
                expected_version=data["version"],
                content=form.content(),
                **form.fields_data(),
            ),
        )
        if status is None:
            messages.success(request, _("The template %(name)s was saved.") % {"name": template})
            return redirect(template)
        template.refresh_from_db()
    context = {"form": form, "template": template}
    return render(request, "planning/template_form.html", context, status=status)


@require_POST
@policy.requires("planning.projecttemplate", "add")
def template_clone(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(_templates(request), pk=pk)
    copy = services.clone_template(template, actor=request.user)
    messages.success(
        request, _("The copy %(name)s was created; edit it as you need.") % {"name": copy}
    )
    return redirect(copy)


@require_http_methods(["GET", "POST"])
@policy.requires("planning.projecttemplate", "delete")
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, unless projects were created from it."""
    template = get_object_or_404(ProjectTemplate.objects.for_user(request.user, "delete"), pk=pk)
    if request.method == "POST":
        try:
            services.delete_template(template, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(template)
        messages.success(request, _("The template %(name)s was deleted.") % {"name": template})
        return redirect("planning:template_list")
    in_use = template.projects.exists()
    return render(
        request, "planning/template_delete.html", {"template": template, "in_use": in_use}
    )


urls = [
    path("project-templates/", template_list, name="template_list"),
    path("project-templates/new/", template_create, name="template_create"),
    path("project-templates/<int:pk>/", template_detail, name="template_detail"),
    path("project-templates/<int:pk>/edit/", template_edit, name="template_edit"),
    path("project-templates/<int:pk>/clone/", template_clone, name="template_clone"),
    path("project-templates/<int:pk>/delete/", template_delete, name="template_delete"),
]
