from django import forms
from django.utils.translation import gettext_lazy as _


class VersionedForm(forms.Form):
    """Carries the version the editor loaded, so a stale save is detected (see StaleEdit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AttachmentForm(forms.Form):
    upload = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    client_visible = forms.BooleanField(
        label=_("Visible to the client"),
        required=False,
        help_text=_("Client users of this client can see and download the file."),
    )
