"""The form that asks for a leveling proposal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm
from charter.resources.choices import LevelingMode, LevelingScope
from charter.resources.services import leveling as services


class LevelingForm(StyledForm, forms.Form):
    scope = forms.ChoiceField(
        label=_("Level"),
        choices=LevelingScope.choices,
        initial=LevelingScope.PROJECT,
        help_text=_(
            "Across projects: every running project that shares a resource (a person or "
            "equipment) with this one; the project with the higher priority keeps its dates first."
        ),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=LevelingMode.choices,
        initial=LevelingMode.FAST,
        help_text=_(
            "Fast: one pass, in a moment. Optimise: searches for an earlier finish until the "
            "time limit."
        ),
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=services.TIME_LIMIT_MIN,
        max_value=services.TIME_LIMIT_MAX,
        initial=services.DEFAULT_TIME_LIMIT,
        help_text=_("Optimise mode only: 1 to 30 seconds."),
    )
    split = forms.BooleanField(
        label=_("Leveling may split tasks"),
        required=False,
        help_text=_(
            "A task of two days or more may stop where a resource it needs is busy and resume "
            "later, as Microsoft Project's “leveling can create splits in remaining work”. "
            "Otherwise a task keeps its resources for one unbroken run of working days."
        ),
    )
    date_from = forms.DateField(
        label=_("Only tasks starting from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: every task that has not started may move."),
    )
