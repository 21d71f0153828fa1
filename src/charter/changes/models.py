"""Change requests: what the client (or the team) wants changed on a project, the requirements
it touches, and the decision taken on it. The impact on plan and budget and the re-baseline
that follow an approval belong here too as they are built."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.changes.choices import STATUS_COLOURS, ChangeStatus
from charter.changes.querysets import ChangeRequestQuerySet
from charter.core.models import VersionedModel


def change_request_code(number: int) -> str:
    return f"CR-{number:03d}"


class ChangeRequest(VersionedModel):
    """A change request of a project, coded CR-001… within it."""

    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    code = models.CharField(_("code"), max_length=16, editable=False)
    title = models.CharField(pgettext_lazy("change request", "title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What should change, in the client's words.")
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the change is wanted: the business need.")
    )
    requested_by = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_requests",
        help_text=_("The client contact who asked for it; empty when the team raises it."),
    )
    requested_on = models.DateField(_("requested on"))
    requirements = models.ManyToManyField(
        "discovery.Requirement",
        verbose_name=_("requirements"),
        blank=True,
        related_name="change_requests",
        help_text=_("The requirements the change adds to, alters or removes."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ChangeStatus, default=ChangeStatus.PROPOSED
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChangeRequestQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="changes_change_request_number_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("changes:change_request_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ChangeStatus.PROPOSED

    @property
    def status_colour(self) -> str:
        """The colour of the status badge (``bg-<colour>-lt``)."""
        return STATUS_COLOURS[ChangeStatus(self.status)]
