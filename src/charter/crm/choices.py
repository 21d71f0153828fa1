from django.db import models
from django.utils.translation import gettext_lazy as _


class Lifecycle(models.TextChoices):
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active client")
    FORMER = "former", _("Former client")


class CompanySize(models.TextChoices):
    MICRO = "1-49", _("1–49 employees")
    SMALL = "50-199", _("50–199 employees")
    MEDIUM = "200-999", _("200–999 employees")
    LARGE = "1000+", _("1,000 or more employees")


class DecisionRole(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    KEY_USER = "key_user", _("Key user")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    SLACK = "slack", _("Slack")


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")
    NOTE = "note", _("Note")


class Currency(models.TextChoices):
    CNY = "CNY", "CNY ¥"
    USD = "USD", "USD $"
    EUR = "EUR", "EUR €"
    HKD = "HKD", "HKD $"
    JPY = "JPY", "JPY ¥"
    GBP = "GBP", "GBP £"
    SGD = "SGD", "SGD $"


class ImportKind(models.TextChoices):
    CLIENTS = "clients", _("Clients")
    CONTACTS = "contacts", _("Contacts")
    OPPORTUNITIES = "opportunities", _("Opportunities")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to map")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    COMMITTING = "committing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
