"""Budget forms: a budget line (planned amount per category, phase and month), the filter of
the lines, and an expense (recorded or edited)."""

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.core.forms import StyledForm, VersionedForm
from charter.crm.choices import Currency
from charter.crm.forms_pipeline import DATE
from charter.planning.models import Project, Task
from charter.resources.choices import CostCategory
from charter.resources.models import BudgetLine, Expense
from charter.resources.models.budget import EXPENSE_CATEGORIES
from charter.resources.services import budget as services
from charter.resources.services import budget_report

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month input), read as its first day."""

    widget = MONTH
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


def _phase_field(project: Project, *, empty_label: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Phase"),
        queryset=budget_report.phases(project),
        required=False,
        empty_label=empty_label,
    )


class BudgetLineForm(StyledForm, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    month = MonthField(label=_("Month"), help_text=_("The month the money is planned for."))
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In the project's currency."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"] = _phase_field(project, empty_label=_("Whole project"))
        self.fields["phase"].help_text = _("A top-level summary task of the plan.")
        self.order_fields(["category", "phase", "month", "amount", "note"])

    def line_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.LINE_FIELDS}


class BudgetLineEditForm(BudgetLineForm, VersionedForm):
    @staticmethod
    def initial_of(line: BudgetLine) -> dict[str, Any]:
        return {
            "category": line.category,
            "phase": line.phase_id,
            "month": line.month,
            "amount": line.amount,
            "note": line.note,
            "version": line.version,
        }


class LineFilterForm(StyledForm, forms.Form):
    """Filter the budget lines; an invalid value filters nothing."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *CostCategory.choices],
    )

    def __init__(self, data: Any, *, project: Project) -> None:
        super().__init__(data)
        self.fields["phase"] = _phase_field(project, empty_label=_("All phases"))

    def value(self, name: str) -> Any:
        self.is_valid()  # the valid fields are cleaned even when another is not
        return self.cleaned_data.get(name)


class ExpenseForm(StyledForm, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=EXPENSE_CATEGORIES)
    spent_on = forms.DateField(label=_("Spent on"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=Currency.choices,
        help_text=_("Expenses are recorded in the project's currency."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        help_text=_(
            "What was bought or paid, e.g. “北京出差机票”. Attach the receipt after saving."
        ),
    )

    def __init__(
        self, *args: Any, project: Project, keep_task: int | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("currency", project.currency)
        super().__init__(*args, **kwargs)
        # Work packages; an edited expense keeps its task even if it became a summary since.
        tasks = Q(is_summary=False) | Q(pk=keep_task) if keep_task else Q(is_summary=False)
        self.fields["task"] = forms.ModelChoiceField(
            label=_("Task"),
            queryset=Task.objects.filter(tasks, project=project).order_by("position", "pk"),
            required=False,
            empty_label=_("No particular task"),
        )
        self.order_fields(["category", "spent_on", "amount", "currency", "task", "description"])

    def expense_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.EXPENSE_FIELDS}


class ExpenseEditForm(ExpenseForm, VersionedForm):
    """The recording form, for an expense already recorded (with the version it was read at)."""

    @classmethod
    def of(cls, expense: Expense, data: Any = None) -> "ExpenseEditForm":
        initial = {name: getattr(expense, name) for name in services.EXPENSE_FIELDS}
        initial["task"] = expense.task_id
        initial["version"] = expense.version
        return cls(data, project=expense.project, keep_task=expense.task_id, initial=initial)
