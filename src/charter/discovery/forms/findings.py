"""Forms of findings: record one from a source, edit, link to a requirement, filter the list."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm
from charter.discovery.models import Finding, Requirement
from charter.discovery.models.findings import SOURCE_LABELS
from charter.discovery.services.findings import SOURCE_KINDS

THEN_FINDING = "finding"
THEN_REQUIREMENT = "requirement"

LATENT_HELP = _("Something the client needs but did not say out loud.")


class FindingFromSourceForm(StyledForm, forms.Form):
    """What other pages post to /findings/new/: the source, the text, and what to do next."""

    source = forms.ChoiceField(
        label=_("Source"), choices=[(kind, kind) for kind in SOURCE_KINDS], widget=forms.HiddenInput
    )
    source_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    parent_kind = forms.ChoiceField(
        choices=[("", ""), ("project", "project"), ("opportunity", "opportunity")],
        required=False,
        widget=forms.HiddenInput,
    )
    parent_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Finding"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was learned, in a sentence or two. The first line becomes the title."),
    )
    latent_need = forms.BooleanField(label=_("Latent need"), required=False, help_text=LATENT_HELP)
    then = forms.ChoiceField(
        choices=[(THEN_FINDING, THEN_FINDING), (THEN_REQUIREMENT, THEN_REQUIREMENT)],
        initial=THEN_FINDING,
        required=False,
    )

    def source_args(self) -> dict[str, Any]:
        """Keywords for services.findings.resolve_source."""
        data = self.cleaned_data
        return {
            "kind": data["source"],
            "source_id": data["source_id"],
            "parent_kind": data.get("parent_kind") or "",
            "parent_id": data.get("parent_id"),
        }


class FindingEditForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 5}))
    latent_need = forms.BooleanField(label=_("Latent need"), required=False, help_text=LATENT_HELP)


class FindingLinkForm(StyledForm, forms.Form):
    requirement = forms.ModelChoiceField(
        label=_("Requirement"),
        queryset=Requirement.objects.none(),
        help_text=_("The finding becomes one of the sources of this requirement."),
    )

    def __init__(self, *args: Any, finding: Finding, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = "project" if finding.project_id else "opportunity"
        self.fields["requirement"].queryset = Requirement.objects.filter(  # type: ignore[attr-defined]
            **{field: finding.parent}
        ).order_by("number")


def _yes_no(all_label: Any, yes: Any, no: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[("", all_label), ("true", yes), ("false", no)],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )


class FindingFilterForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            ("", _("All sources")),
            *[(kind, label) for kind, label in SOURCE_LABELS.items()],
            ("idea", _("Focus-group idea")),
        ],
        required=False,
    )
    promoted = _yes_no(_("Requirement or not"), _("Made requirement"), _("Not yet a requirement"))
    latent = _yes_no(_("Latent or not"), _("Latent needs"), _("Stated needs"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["promoted"].label = _("Requirement")
        self.fields["latent"].label = _("Latent need")

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}
