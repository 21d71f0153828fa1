from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from charter.core.models import VersionedModel
from charter.crm.choices import (
    Channel,
    CompanySize,
    Currency,
    DecisionRole,
    ImportKind,
    ImportStatus,
    InteractionKind,
    Lifecycle,
    StageKind,
)
from charter.crm.querysets import (
    ClientQuerySet,
    ContactQuerySet,
    ImportJobQuerySet,
    InteractionQuerySet,
    OpportunityQuerySet,
)
from charter.crm.validators import validate_uscc

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Client(VersionedModel):
    """A client organisation: who the projects are for, and whose people may use the portal."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=CompanySize, blank=True)
    region = models.CharField(
        _("region"), max_length=80, blank=True, help_text=_("Province/city or country.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("统一社会信用代码, 18 characters; checked when given."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_clients",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="clients")
    lifecycle = models.CharField(
        _("lifecycle"), max_length=16, choices=Lifecycle, default=Lifecycle.LEAD
    )
    auto_convert_won = models.BooleanField(
        _("create the project when a deal is won"),
        default=False,
        help_text=_(
            "Convert a won opportunity of this client automatically, with the default template."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    charter_attachable = True
    charter_history = True

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("crm:client_detail", args=[self.pk])


class ExternalId(models.Model):
    """The id a record has in a connected CRM (Zoho, Fxiaoke …): one per system and record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    system = models.CharField(_("system"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=128)

    class Meta:
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "content_type", "external_id"], name="crm_external_id_unique"
            ),
            models.UniqueConstraint(
                fields=["system", "content_type", "object_id"],
                name="crm_one_external_id_per_system",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.external_id}"


class Contact(VersionedModel):
    """A person at a client, and their place among the stakeholders."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    mobile = models.CharField(
        _("mobile"), max_length=20, blank=True, db_index=True, help_text=_("Stored as +86…")
    )
    wechat_id = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel, default=Channel.EMAIL
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="zh-hans"
    )
    notes = models.TextField(_("notes"), blank=True)
    decision_role = models.CharField(
        _("role in decisions"), max_length=16, choices=DecisionRole, default=DecisionRole.OTHER
    )
    influence = models.PositiveSmallIntegerField(_("influence"), default=3, validators=ONE_TO_FIVE)
    interest = models.PositiveSmallIntegerField(_("interest"), default=3, validators=ONE_TO_FIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    charter_history = True

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("crm:contact_detail", args=[self.pk])


class Stage(models.Model):
    """A pipeline stage; the order and names are configurable, kind says open/won/lost."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=StageKind, default=StageKind.OPEN)
    probability = models.PositiveSmallIntegerField(
        _("default probability (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("Given to a deal that moves into this stage."),
    )

    class Meta:
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Opportunity(VersionedModel):
    """A deal with a client, moving through the pipeline stages."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(pgettext_lazy("deal", "title"), max_length=200)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.CNY)
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OpportunityQuerySet.as_manager()

    charter_attachable = True
    charter_history = True

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("crm:opportunity_detail", args=[self.pk])

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))


class Interaction(VersionedModel):
    """A call, meeting, e-mail, visit or note with a client, and its follow-up."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="interactions"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    project = models.ForeignKey(
        "planning.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        help_text=_("Set when a pre-sales note is carried over into a project."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="interactions"
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleagues"),
        blank=True,
        related_name="interactions",
    )
    summary = models.TextField(_("summary"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="owned_interactions",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["owner", "follow_up_done", "follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"


# ---- import of clients, contacts and opportunities (crm.services.imports) --------------------


class ImportMapping(models.Model):
    """The column mapping last used for a kind of import and a set of file headers."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind)
    headers_key = models.CharField(max_length=64)
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "headers_key"], name="crm_import_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.headers_key[:8]}"


class ImportJob(models.Model):
    """One uploaded file on its way in: mapping, dry-run counts and errors, progress, result."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(max_length=8)
    encoding = models.CharField(max_length=16, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus, default=ImportStatus.MAPPING
    )
    valid_only = models.BooleanField(_("import only the valid rows"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    to_create = models.PositiveIntegerField(_("to create"), default=0)
    to_update = models.PositiveIntegerField(_("to update"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("crm:import_detail", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status in {ImportStatus.CHECKING, ImportStatus.COMMITTING}

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
