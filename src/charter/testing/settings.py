"""Settings for the test suite: production settings with fast hashing and immediate tasks."""

import os
import tempfile

os.environ.setdefault("CHARTER_SECRET_KEY", "test-suite-only-" + "k" * 40)
os.environ.setdefault("CHARTER_HTTPS", "false")
os.environ.setdefault("CHARTER_VAR_DIR", tempfile.mkdtemp(prefix="charter-test-var-"))

from charter.settings import *  # noqa: F403
from charter.settings import STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    **STORAGES,
    "default": {**STORAGES["default"], "OPTIONS": {"location": str(VAR_DIR / "media")}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise looks for it
# Tests read the English source strings unless they choose Chinese (the product default is zh-hans).
LANGUAGE_CODE = "en"
