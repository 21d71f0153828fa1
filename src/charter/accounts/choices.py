from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.core import policy


class Role(models.TextChoices):
    ADMIN = policy.ADMIN, _("Administrator")
    MANAGER = policy.MANAGER, _("Project manager")
    MEMBER = policy.MEMBER, _("Team member")
    CLIENT = policy.CLIENT, _("Client user")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
