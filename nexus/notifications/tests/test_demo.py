"""The demo's follows, notifications and webhook: there after one load, not doubled by two."""

from __future__ import annotations

import importlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from nexus.notifications.models import Event, Follow, Notification, Webhook


def counts() -> dict[str, int]:
    return {
        "follows": Follow.objects.count(),
        "events": Event.objects.count(),
        "notifications": Notification.objects.count(),
        "webhooks": Webhook.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_demo_inboxes_and_webhook_and_a_second_load_adds_nothing(settings: Any) -> None:
    # An earlier transactional test may have flushed the vocabulary the migrations seed.
    from django.apps import apps

    seed = importlib.import_module("nexus.knowledge.migrations.0002_seed_vocabulary").seed
    seed(apps, None)
    settings.NEXUS_TASKS_MODE = "inline"  # effects right after each commit, as `make run` has them
    call_command("nexus_demo", stdout=StringIO())
    first = counts()
    assert first["follows"] == 6
    tomas = Notification.objects.filter(recipient__username="tomas")
    assert tomas.filter(reason="follow").count() == 2  # amara's two newest entries
    assert Notification.objects.filter(recipient__username="amara", reason="mention").count() == 2
    assert Notification.objects.filter(recipient__username="kenji", reason="mention").exists()
    webhook = Webhook.objects.get()
    assert (webhook.hub.owner.username, webhook.is_active, webhook.format) == ("amara", False, "discord")
    out = StringIO()
    call_command("nexus_demo", stdout=out)
    assert counts() == first
    assert "0 webhook created" in out.getvalue()
