"""One place that reads the process environment.

Every setting comes from an environment variable with an embedded default (DESIGN.md
section 1); `.env.example` documents each one. Production is `NEXUS_ENV=production`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

NEXUS_ENV = env.str("NEXUS_ENV", default="development")
if NEXUS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"NEXUS_ENV must be 'development' or 'production', not {NEXUS_ENV!r}.")
IS_PRODUCTION = NEXUS_ENV == "production"

# Everything the embedded default writes (SQLite file, task queue folders, beat schedule,
# the development secret key) lives under one folder that is safe to delete.
VAR_DIR = Path(env.str("NEXUS_VAR_DIR", default=str(BASE_DIR / "var")))


def secret_key() -> str:
    """The signing key: required in production, generated once per checkout otherwise."""
    value = env.str("SECRET_KEY", default="")
    if value:
        return value
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without one; generate it with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # A per-checkout key keeps development sessions valid across restarts without ever
    # committing a key.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
