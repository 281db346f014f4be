"""Django's deployment checklist is clean with production settings (docs/security.md §CSRF, headers, cookies).

``manage.py check --deploy`` runs in a subprocess because settings are read once at import: the
test process itself runs with test-friendly values (plain HTTP, DEBUG from the environment).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.db import connection

from portal.kit import crypto

ROOT = Path(__file__).resolve().parents[2]
# Variables that could weaken the production defaults; the check must see the defaults themselves.
OVERRIDES = (
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS", "BEHIND_TLS_PROXY", "AXES_ENABLED", "DJANGO_SETTINGS_MODULE", "PORTAL_QUICKSTART",
    "TRUSTED_PROXY_COUNT", "CLIENT_IP_HEADER", "CONN_MAX_AGE",
)


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def production_env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OVERRIDES}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),  # 86 random characters
        FIELD_ENCRYPTION_KEY=crypto.generate_key(),
        ALLOWED_HOSTS="portal.example.gov.cn",
        DATABASE_URL=database_url(),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        PYTHONWARNINGS="ignore",
    )
    env.update(changes)
    return env


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_really_checks(tmp_path):
    """The same command fails on a debug configuration, so the green result above is not vacuous."""
    result = check_deploy(production_env(DEBUG="1", SECRET_KEY="short", PORTAL_VAR_DIR=str(tmp_path)))
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on
    assert "security.W009" in result.stderr + result.stdout  # weak SECRET_KEY


def test_check_deploy_refuses_a_generated_field_encryption_key(tmp_path):
    env = production_env(PORTAL_VAR_DIR=str(tmp_path))
    del env["FIELD_ENCRYPTION_KEY"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "portal.E002" in result.stderr + result.stdout


def test_a_malformed_field_encryption_key_stops_every_command(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env=production_env(FIELD_ENCRYPTION_KEY="not-a-key"), timeout=60, check=False)
    assert result.returncode != 0
    assert "portal.E001" in result.stderr + result.stdout


def test_check_deploy_refuses_the_quick_start_mode():
    """``make run``'s plain-http defaults (PORTAL_QUICKSTART) cannot slip into a deployment unnoticed."""
    result = check_deploy(production_env(PORTAL_QUICKSTART="1"))
    assert result.returncode != 0
    assert "portal.E003" in result.stderr + result.stdout
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE off with it
