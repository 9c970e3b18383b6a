"""Test settings: base.py plus what makes tests fast and observable, nothing else.

The service URLs still come from the environment, so the same suite runs on the embedded
default and on PostgreSQL + Redis + RabbitMQ (see the Makefile's `test` target).
"""

from nexus.settings.base import *  # noqa: F403
from nexus.settings.base import STORAGES, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The manifest storage needs collectstatic; tests render templates without it.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# A queue of its own so a test run never consumes or leaves work for a real worker.
# NEXUS_TEST_QUEUE separates test runs that share one RabbitMQ.
CELERY_TASK_DEFAULT_QUEUE = env.str("NEXUS_TEST_QUEUE", default="nexus-test")
NEXUS_BROKER_CONNECT_TIMEOUT = 1.0
