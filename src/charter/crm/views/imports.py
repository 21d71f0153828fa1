"""Import pages: upload a file, map its columns, see the dry run, commit, watch the progress."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import add_service_errors
from charter.crm.choices import ImportStatus
from charter.crm.forms import MappingForm, UploadForm
from charter.crm.models import ImportJob
from charter.crm.services import imports as services

ERRORS_PER_PAGE = 50
RECENT_JOBS = 20


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.for_user(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@policy.requires("crm.client", "import")
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a file (POST), or see the form and the recent imports."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(job)
    status = 422 if form.errors else 200
    jobs = ImportJob.objects.for_user(request.user)[:RECENT_JOBS]
    return render(request, "crm/imports/list.html", {"form": form, "jobs": jobs}, status=status)


@require_http_methods(["GET"])
@policy.requires("crm.client", "import")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job: mapping, dry-run preview, progress or result. HTMX polls the progress
    fragment; once the job has finished it asks the browser to reload the page."""
    job = _job(request, pk)
    if request.htmx:  # type: ignore[attr-defined]
        if job.running:
            return render(request, "crm/imports/partials/progress.html", {"job": job})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _detail_page(request, job)


def _detail_page(
    request: HttpRequest, job: ImportJob, mapping_form: MappingForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "job": job,
        "mapping_form": mapping_form or MappingForm(job),
        "errors_page": Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
        "can_map": job.status in {ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.FAILED},
    }
    return render(request, "crm/imports/detail.html", context, status=status)


@require_POST
@policy.requires("crm.client", "import")
def import_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the column mapping and run the dry run."""
    job = _job(request, pk)
    form = MappingForm(job, request.POST)
    if form.is_valid():
        try:
            job = services.check_import(job, actor=request.user, mapping=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(job)
    return _detail_page(request, job, form, status=422)


@require_POST
@policy.requires("crm.client", "import")
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the checked file: everything, or with ``valid_only`` the rows without errors."""
    job = _job(request, pk)
    try:
        job = services.commit_import(
            job, actor=request.user, valid_only=request.POST.get("valid_only") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, _("The file was imported."))
    return redirect(job)


urls = [
    path("imports/", import_list, name="import_list"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/check/", import_check, name="import_check"),
    path("imports/<int:pk>/commit/", import_commit, name="import_commit"),
]
