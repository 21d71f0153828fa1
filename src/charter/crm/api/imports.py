"""Imports through the API: upload a file (dry run with the proposed mapping), read, commit."""

import datetime
import json
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from charter.core import policy
from charter.core.api import errors_on_field
from charter.crm.choices import ImportKind, ImportStatus
from charter.crm.models import ImportJob
from charter.crm.services import imports as services

router = Router(tags=["imports"])

ERRORS_PER_PAGE = 100


class ImportIn(Schema):
    kind: ImportKind = Field(description="What the file holds: clients, contacts, opportunities.")
    mapping: str = Field(
        "",
        description='Optional JSON object {field: column heading}, e.g. {"name": "客户名称"}. '
        "Without it the mapping last used for these headings, or one guessed from them.",
    )


class CommitIn(Schema):
    valid_only: bool = Field(
        False, description="Import the rows without errors and leave the others out."
    )


class RowError(Schema):
    row: int = Field(description="Row number in the file; the heading row is 1.")
    column: str = Field(description="The column heading, or empty for the row as a whole.")
    message: str = Field(description="What is wrong, in the user's language.")


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    status: ImportStatus = Field(
        description="mapping, checking, checked, committing, done or failed."
    )
    headers: list[str] = Field(description="The file's column headings.")
    mapping: dict[str, str] = Field(description="{field: column heading} used for the rows.")
    rows_total: int
    rows_done: int = Field(description="Progress of a running check or commit.")
    to_create: int = Field(description="Records the file creates (created, once done).")
    to_update: int = Field(description="Records the file changes (updated, once done).")
    unchanged: int
    error_rows: int = Field(description="Rows with errors; left out when imported valid-only.")
    message: str = Field(description="Why the job failed, if it did.")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    errors: list[RowError] = Field(description="This page of the row errors.")
    errors_page: int
    errors_pages: int


def _out(job: ImportJob, page: int = 1) -> dict[str, Any]:
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(page)
    fields = {name: getattr(job, name) for name in ImportOut.model_fields if hasattr(job, name)}
    return {
        **fields,
        "errors": list(errors),
        "errors_page": errors.number,
        "errors_pages": errors.paginator.num_pages,
    }


def _mapping(text: str) -> dict[str, str] | None:
    if not text:
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValidationError({"mapping": [_('A JSON object like {"name": "客户名称"}.')]})
    return mapping


@router.post("", response={201: ImportOut}, summary="Upload a file and check it (dry run)")
@policy.api_requires("crm.client", "import")
def create_import(
    request: HttpRequest,
    payload: Form[ImportIn],
    file: Annotated[UploadedFile, File(..., description="CSV (UTF-8 or GB18030) or XLSX.")],
) -> object:
    """Nothing is imported yet: the answer holds the counts and every row's errors. A file
    with more than 1,000 rows is checked in the background: poll GET /imports/{id}."""
    mapping = _mapping(payload.mapping)
    with transaction.atomic(), errors_on_field("mapping"):
        job = services.start_import(actor=request.user, kind=payload.kind, upload=file)
        job = services.check_import(job, actor=request.user, mapping=mapping or job.mapping)
    return Status(201, _out(job))


@router.get("/{import_id}", response=ImportOut, summary="An import: status, progress, errors")
@policy.api_requires("crm.client", "import")
def get_import(
    request: HttpRequest,
    import_id: int,
    page: int = Query(1, ge=1, description="Page of the row errors (100 per page)."),
) -> object:
    return _out(get_object_or_404(ImportJob.objects.for_user(request.user), pk=import_id), page)


@router.post("/{import_id}/commit", response=ImportOut, summary="Import the checked file")
@policy.api_requires("crm.client", "import")
def commit_import(request: HttpRequest, import_id: int, payload: CommitIn | None = None) -> object:
    """All rows in one transaction, or nothing (422 when rows have errors, unless
    ``valid_only``). Large files are imported in the background: poll GET /imports/{id}."""
    job = get_object_or_404(ImportJob.objects.for_user(request.user), pk=import_id)
    valid_only = payload.valid_only if payload is not None else False
    return _out(services.commit_import(job, actor=request.user, valid_only=valid_only))
