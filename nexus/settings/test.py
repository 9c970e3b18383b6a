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
# Traffic: limits far above what any test sends (tests of the limits set their own), a
# request log that is only written when a test flushes it, and IP rules compiled once per
# change (a periodic refresh would add a query to another test's count).
NEXUS_RATE_ANON = "100000/m"
NEXUS_RATE_ANON_BURST = "100000/10s"
NEXUS_RATE_USER = "100000/m"
NEXUS_RATE_AUTH = "100000/m"
NEXUS_RATE_GRAPHQL_COST = "10000000/m"
NEXUS_TRAFFIC_FLUSH_SIZE = 10**9
NEXUS_TRAFFIC_FLUSH_SECONDS = 10.0**9
NEXUS_TRAFFIC_BUFFER_MAX = 1000
NEXUS_TRAFFIC_FLUSH_AT_EXIT = False
NEXUS_IP_RULES_REFRESH_SECONDS = 10.0**9
