"""Webhook secrets encrypted at rest (nexus/core/encryption.py): clear text in Python, a
token in the database, readable after a SECRET_KEY rotation while the old key is a fallback,
rewritten by nexus_reencrypt, and a clear error (never a wrong secret) once no key fits."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from nexus.core.encryption import decrypt, encrypt
from nexus.notifications.models import Webhook

pytestmark = pytest.mark.django_db


def stored_secret(webhook: Webhook) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhook WHERE id = %s", [webhook.pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def webhook(owner: Any) -> Webhook:
    return Webhook.objects.create(owner=owner, name="Channel", url="https://example.org/hook", secret="s3cr3t-value")


def test_the_database_holds_a_token_and_python_the_secret(webhook: Webhook) -> None:
    raw = stored_secret(webhook)
    assert "s3cr3t-value" not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    assert Webhook.objects.get(pk=webhook.pk).secret == "s3cr3t-value"
    assert encrypt("same") != encrypt("same")  # randomised: equal secrets do not show


def test_a_rotated_key_still_reads_old_secrets_and_reencrypt_moves_them(webhook: Webhook, settings: Any) -> None:
    before = stored_secret(webhook)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 40, [old_key]
    assert Webhook.objects.get(pk=webhook.pk).secret == "s3cr3t-value"

    out = StringIO()
    call_command("nexus_reencrypt", stdout=out)
    assert "notifications.Webhook: 1 row(s) re-encrypted (secret)." in out.getvalue()
    assert stored_secret(webhook) != before

    settings.SECRET_KEY_FALLBACKS = []  # the old key can go now
    assert Webhook.objects.get(pk=webhook.pk).secret == "s3cr3t-value"


def test_a_secret_under_an_unknown_key_is_a_clear_error(webhook: Webhook, settings: Any) -> None:
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "another-key-" + "y" * 40, []
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        Webhook.objects.get(pk=webhook.pk)
    with pytest.raises(CommandError, match="Nothing was rewritten"):
        call_command("nexus_reencrypt", stdout=StringIO())
    with pytest.raises(ImproperlyConfigured):
        decrypt("not a token at all é")
