"""Uploading a Microsoft Project XML file to replace a project's plan."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm
from charter.planning.services.exchange import check_upload_size


class PlanImportForm(StyledForm, forms.Form):
    file = forms.FileField(
        label=_("Microsoft Project XML file"),
        help_text=_(
            "In Microsoft Project: File → Save As → “XML Format (*.xml)”. ProjectLibre and "
            "other tools that write MS Project XML work too. Up to 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    replace = forms.BooleanField(
        label=_("Replace the current plan"),
        required=False,
        help_text=_(
            "Deletes every task, link and baseline of this project before importing. It cannot "
            "be undone; export the plan first to keep a copy."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload
