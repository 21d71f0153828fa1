"""A project's budget: the planned amounts per cost category, phase and month (budget lines),
and the expenses recorded against it. The approved budget is the project's own ``budget``
(copied from the deal at conversion); labour actuals come from approved timesheets, the other
categories' actuals from expenses (see ``services.budget``)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.resources.choices import CostCategory
from charter.resources.querysets import BudgetLineQuerySet, ExpenseQuerySet

# Labour is costed from timesheets; an expense is any of the others.
EXPENSE_CATEGORIES = [
    (value, label) for value, label in CostCategory.choices if value != CostCategory.LABOUR
]


class BudgetLine(VersionedModel):
    """``amount`` planned for ``category`` in ``month`` (its first day), for one phase (a
    summary task of the project) or, without a phase, for the project as a whole."""

    project = models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=16, choices=CostCategory)
    phase = models.ForeignKey(
        "planning.Task",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        help_text=_("A summary task at the top of the plan. Empty: the whole project."),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "month", "category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="resources_budgetline_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.month:%Y-%m}"


class Expense(VersionedModel):
    """Money spent on the project outside labour: ``amount`` in the project's currency, with
    receipts attached through the attachments panel."""

    project = models.ForeignKey(
        "planning.Project", on_delete=models.CASCADE, related_name="expenses"
    )
    category = models.CharField(_("category"), max_length=16, choices=EXPENSE_CATEGORIES)
    task = models.ForeignKey(
        "planning.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
    )
    spent_on = models.DateField(_("spent on"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3, help_text=_("The project's currency."))
    description = models.CharField(_("description"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="recorded_expenses",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ExpenseQuerySet.as_manager()

    charter_attachable = True  # receipts and invoices

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="resources_expense_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(category="labour"), name="resources_expense_not_labour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} · {self.amount} {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("resources:expense_detail", args=[self.pk])
