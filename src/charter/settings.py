"""Charter settings, read only from CHARTER_* environment variables (README, "Configuration")."""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


VAR_DIR = Path(os.environ.get("CHARTER_VAR_DIR") or Path.cwd() / "var").resolve()
DEBUG = env_bool("CHARTER_DEBUG", False)


def load_secret_key() -> str:
    """The key from CHARTER_SECRET_KEY; in debug mode a key generated once into VAR_DIR."""
    key = os.environ.get("CHARTER_SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "CHARTER_SECRET_KEY is not set. Production mode needs a long random secret, e.g. "
            "CHARTER_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "For a local trial set CHARTER_DEBUG=true instead, and a key is generated in ./var/."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = load_secret_key()
# Earlier keys, comma-separated: signed links and stored secrets made with them stay readable.
SECRET_KEY_FALLBACKS = [
    key for key in os.environ.get("CHARTER_SECRET_KEY_FALLBACKS", "").split(",") if key
]
ALLOWED_HOSTS = env_list("CHARTER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CHARTER_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "charter.core.admin_site.CharterAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "charter.core",
    "charter.accounts",
    "charter.crm",
    "charter.planning",
    "charter.discovery",
    "charter.comms",
    "charter.resources",
    "charter.changes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "charter.accounts.middleware.UserPreferencesMiddleware",
    "charter.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "charter.urls"
WSGI_APPLICATION = "charter.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "charter.core.context_processors.navigation",
            ],
            "builtins": ["charter.core.templatetags.charter"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("CHARTER_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'charter.sqlite3'}",
        conn_max_age=env_int("CHARTER_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CHARTER_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CHARTER_CACHE_URL must be a redis:// or rediss:// URL.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "charter_cache",
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("CHARTER_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["charter.formats"]
TIME_ZONE = os.environ.get("CHARTER_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The shared assets live beside the apps, in the package itself (not an app).
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("CHARTER_MEDIA_ROOT") or VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(STORAGES["default"]["OPTIONS"]["location"])
# Uploaded files are never served from a public URL: attachments go through a permission check.
MEDIA_URL = None
WHITENOISE_USE_FINDERS = DEBUG

CHARTER_UPLOAD_MAX_BYTES = env_int("CHARTER_UPLOAD_MAX_MB", 25) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CHARTER_UPLOAD_EXTENSIONS = env_list(
    "CHARTER_UPLOAD_EXTENSIONS",
    "pdf,png,jpg,jpeg,gif,webp,txt,md,csv,xlsx,xls,docx,doc,pptx,ppt,zip,eml,msg,mp3,m4a,mp4",
)


def mailer_from_url(url: str) -> dict[str, object]:
    """A MAILERS entry from CHARTER_EMAIL_URL.

    smtp://user:password@host:587?tls=true (STARTTLS) · smtps://user:password@host:465 (TLS)
    · console:// (print to the terminal) · file:///path/to/folder (one file per message)
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme in {"smtp", "smtps", "submission"}:
        options: dict[str, object] = {
            "host": parts.hostname or "localhost",
            "port": parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme],
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": parts.scheme == "submission"
            or query.get("tls", "").lower() in {"1", "true"},
            "timeout": int(query.get("timeout", "30")),
        }
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    raise ImproperlyConfigured(
        f"CHARTER_EMAIL_URL must start with smtp://, smtps://, submission://, console:// or "
        f"file://, not {url!r}."
    )


MAILERS = {
    "default": mailer_from_url(
        os.environ.get("CHARTER_EMAIL_URL") or ("console://" if DEBUG else "smtp://127.0.0.1:25")
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("CHARTER_FROM_EMAIL", "Charter <charter@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach this Charter: the links in messages the worker sends (it has no request).
CHARTER_SITE_URL = os.environ.get("CHARTER_SITE_URL", "http://127.0.0.1:8000/")

# Production hardening: on unless CHARTER_DEBUG, or explicitly turned off for plain-HTTP setups.
HTTPS = env_bool("CHARTER_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("CHARTER_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHARTER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # httpx logs each request's full URL, and a chat robot's URL carries its key.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
