import hashlib
import mimetypes
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from charter.core import audit
from charter.core.models import Attachment


def validate_upload(upload: UploadedFile) -> None:
    """Refuse empty, oversized and disallowed files with a message the uploader can act on."""
    limit = settings.CHARTER_UPLOAD_MAX_BYTES
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    extension = PurePosixPath(upload.name or "").suffix.lower().lstrip(".")
    allowed = settings.CHARTER_UPLOAD_EXTENSIONS
    if extension not in allowed:
        raise ValidationError(
            _("Files of type “.%(ext)s” are not accepted. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(allowed)},
            code="type",
        )


def add_attachment(
    parent: models.Model,
    *,
    user: Any,
    upload: UploadedFile,
    description: str = "",
    client_visible: bool = False,
) -> Attachment:
    """Store ``upload`` on ``parent``. Precondition: the caller resolved ``parent`` via for_user."""
    validate_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = PurePosixPath(upload.name or "file").name
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(parent),
        object_id=str(parent.pk),
        name=name,
        size=upload.size or 0,
        mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        sha256=digest.hexdigest(),
        description=description,
        client_visible=client_visible,
        uploaded_by=user,
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit.record(
                parent,
                "attachment_added",
                actor=user,
                changes={"attachment": [None, name], "client_visible": [None, client_visible]},
            )
    except Exception:
        attachment.file.delete(save=False)  # no row refers to it: do not leave an orphan file
        raise
    return attachment


@transaction.atomic
def delete_attachment(attachment: Attachment, *, user: Any) -> None:
    """Remove the row now and the file once the transaction has committed."""
    parent = attachment.parent
    name = attachment.name
    storage, path = attachment.file.storage, attachment.file.name or ""
    attachment.delete()
    if parent is not None:
        audit.record(parent, "attachment_deleted", actor=user, changes={"attachment": [name, None]})
    if path:
        transaction.on_commit(lambda: storage.delete(path))
