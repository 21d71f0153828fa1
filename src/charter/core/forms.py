from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from charter.core.concurrency import StaleEdit

# Django 6.1 labels a select's empty choice with this; its own Chinese catalogue leaves it
# blank, so ours carries it (marked here for makemessages, looked up by Django itself).
gettext_noop("- Select an option -")


class TablerBoundField(BoundField):
    """Adds Tabler's input classes, and ``is-invalid`` when the field has errors."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return attrs


class StyledForm:
    """Mix into any form (ours or Django's) so includes/field.html renders it the Tabler way."""

    bound_field_class: type[BoundField] | None = TablerBoundField


class VersionedForm(forms.Form):
    """Carries the version the editor loaded, so a stale save is detected (see StaleEdit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AttachmentForm(StyledForm, forms.Form):
    upload = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    client_visible = forms.BooleanField(
        label=_("Visible to the client"),
        required=False,
        help_text=_("Client users of this client can see and download the file."),
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)


def submit(form: forms.BaseForm, save: Callable[[dict[str, Any]], object]) -> int | None:
    """Validate ``form`` and call ``save(cleaned_data)`` (one service call).

    Returns None when saved, else the status to re-render the form with: 422 for invalid
    input, 409 for a stale edit (the form then says someone else saved first).
    """
    if not form.is_valid():
        return 422
    try:
        save(form.cleaned_data)
    except StaleEdit as stale:
        form.add_error(None, str(stale))
        return 409
    except ValidationError as error:
        add_service_errors(form, error)
        return 422
    return None
