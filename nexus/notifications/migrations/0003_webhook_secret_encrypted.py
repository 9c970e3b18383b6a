"""Webhook signing secrets move from clear text to EncryptedTextField: a new column is
filled with each secret encrypted, then takes the old one's place (and back again)."""

from typing import Any

from django.db import migrations, models

import nexus.core.encryption


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    Webhook = apps.get_model("notifications", "Webhook")
    for webhook in Webhook.objects.only("pk", "secret").iterator():
        # The historical model's new field encrypts on save.
        Webhook.objects.filter(pk=webhook.pk).update(secret_encrypted=webhook.secret)


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    Webhook = apps.get_model("notifications", "Webhook")
    for webhook in Webhook.objects.only("pk", "secret_encrypted").iterator():
        Webhook.objects.filter(pk=webhook.pk).update(secret=webhook.secret_encrypted)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_notification_reason_participant")]

    operations = [
        migrations.AddField(
            model_name="webhook",
            name="secret_encrypted",
            field=nexus.core.encryption.EncryptedTextField(null=True),
        ),
        # Nullable while it goes, so that going back can re-add it empty before filling it.
        migrations.AlterField(model_name="webhook", name="secret", field=models.CharField(max_length=100, null=True)),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
        migrations.RemoveField(model_name="webhook", name="secret"),
        migrations.RenameField(model_name="webhook", old_name="secret_encrypted", new_name="secret"),
        migrations.AlterField(
            model_name="webhook",
            name="secret",
            field=nexus.core.encryption.EncryptedTextField(),
        ),
    ]
