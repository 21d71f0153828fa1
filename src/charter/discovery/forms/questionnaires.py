"""Forms of the questionnaire library and builder."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.core.forms import StyledForm, VersionedForm
from charter.discovery.choices import QuestionKind
from charter.discovery.models import Question, Questionnaire, QuestionSection
from charter.discovery.services.questionnaires import (
    HEADER_FIELDS,
    MAX_SCALE_POINTS,
    QUESTION_FIELDS,
    SECTION_FIELDS,
)

TEMPLATES, QUESTIONNAIRES = "templates", "questionnaires"


class QuestionnaireForm(StyledForm, forms.Form):
    title = forms.CharField(label=pgettext_lazy("questionnaire", "Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Shown to the respondent above the questions."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The language respondents read; the Kano wording follows it."),
    )
    is_template = forms.BooleanField(
        label=_("Template"),
        required=False,
        help_text=_("Templates are the starting points new questionnaires copy."),
    )

    def __init__(self, *args: Any, may_make_templates: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_make_templates:
            del self.fields["is_template"]

    def header(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in HEADER_FIELDS if name in self.fields}


class QuestionnaireCreateForm(QuestionnaireForm):
    template = forms.ModelChoiceField(
        label=_("Start from template"),
        queryset=Questionnaire.objects.none(),
        required=False,
        empty_label=_("Blank questionnaire"),
        help_text=_("Copies the template's sections and questions; change them as you need."),
    )
    field_order = ["template", "title", "language", "intro", "is_template"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        templates = cast(forms.ModelChoiceField, self.fields["template"])
        templates.queryset = Questionnaire.objects.filter(is_template=True)


class QuestionnaireEditForm(QuestionnaireForm, VersionedForm):
    @classmethod
    def for_questionnaire(
        cls, questionnaire: Questionnaire, data: Any = None, **kwargs: Any
    ) -> "QuestionnaireEditForm":
        initial = {name: getattr(questionnaire, name) for name in (*HEADER_FIELDS, "version")}
        return cls(data, initial=initial, **kwargs)


class CopyForm(forms.Form):
    as_template = forms.BooleanField(required=False)


class SectionForm(StyledForm, forms.ModelForm):
    class Meta:
        model = QuestionSection
        fields = SECTION_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"description": _("Shown to the respondent above the section's questions.")}


class OptionsField(forms.CharField):
    """One option per line, as a list (blank lines dropped; the service checks the rest)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


# Which fields a question type uses besides kind, section, text, help text and required.
KIND_FIELDS = {
    "options": [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING],
    "allow_other": [QuestionKind.SINGLE, QuestionKind.MULTIPLE],
    "scale_min": [QuestionKind.RATING],
    "scale_max": [QuestionKind.RATING],
    "kano_feature": [QuestionKind.KANO],
    "dysfunctional_text": [QuestionKind.KANO],
}


class QuestionForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=QuestionKind.choices)
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=QuestionSection.objects.none(),
        required=False,
        empty_label=_("No section"),
    )
    kano_feature = forms.CharField(
        label=_("Feature"),
        max_length=200,
        required=False,
        help_text=_("The feature both questions ask about, e.g. “mobile approvals”."),
    )
    text = forms.CharField(
        label=_("Question"),
        max_length=500,
        required=False,
        help_text=_("For a Kano pair: the functional question (the feature is there)."),
    )
    dysfunctional_text = forms.CharField(
        label=_("Dysfunctional question"),
        max_length=500,
        required=False,
        help_text=_("Asked about the same feature when it is not there."),
    )
    help_text = forms.CharField(
        label=_("Help text"),
        max_length=500,
        required=False,
        help_text=_("A hint shown under the question."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    options = OptionsField(
        label=_("Options"),
        required=False,
        help_text=_("One per line; at least two different ones."),
    )
    allow_other = forms.BooleanField(
        label=_("Allow “other”"),
        required=False,
        help_text=_("Respondents may write in an answer of their own."),
    )
    scale_min = forms.IntegerField(
        label=_("Scale from"), initial=1, min_value=-10, max_value=10, required=False
    )
    scale_max = forms.IntegerField(
        label=_("Scale to"),
        initial=5,
        required=False,
        min_value=-10,
        max_value=20,
        help_text=_("At most %(count)d points.") % {"count": MAX_SCALE_POINTS},
    )

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sections = cast(forms.ModelChoiceField, self.fields["section"])
        sections.queryset = questionnaire.sections.all()
        for name, kinds in KIND_FIELDS.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(kinds)

    @classmethod
    def for_question(cls, question: Question, data: Any = None, **kwargs: Any) -> "QuestionForm":
        initial = {name: getattr(question, name) for name in QUESTION_FIELDS}
        return cls(data, initial=initial, questionnaire=question.questionnaire, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Scale fields are only asked for a rating; other types keep the defaults.
        for name in ("scale_min", "scale_max"):
            if data.get(name) is None and data.get("kind") != QuestionKind.RATING:
                data[name] = self.fields[name].initial
        return data

    def question_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in QUESTION_FIELDS}


class LibraryFilterForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[(QUESTIONNAIRES, _("Questionnaires")), (TEMPLATES, _("Templates"))],
        required=False,
    )
    q = forms.CharField(required=False, max_length=200)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("All languages")), *settings.LANGUAGES],
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "templates": data.get("tab") == TEMPLATES,
            "q": data.get("q", ""),
            "language": data.get("language", ""),
        }
