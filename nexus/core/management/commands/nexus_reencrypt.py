"""After rotating SECRET_KEY: rewrite every encrypted column under the new key, so that the
old one can leave SECRET_KEY_FALLBACKS."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nexus.core.encryption import EncryptedTextField

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt the secrets stored at rest (webhook signing secrets) under the current "
        "SECRET_KEY; run it after a rotation, while the old key is still in SECRET_KEY_FALLBACKS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
            if not names:
                continue
            rewritten = 0
            try:
                with transaction.atomic():
                    # Reading decrypts with any accepted key; writing encrypts with the current
                    # one. Batches by key, not a server-side cursor, which a failed row would
                    # leave to be closed after the transaction rolled back.
                    rows = model._default_manager.only("pk", *names).order_by("pk")
                    batch = list(rows[:BATCH])
                    while batch:
                        for row in batch:
                            values = {name: getattr(row, name) for name in names}
                            model._default_manager.filter(pk=row.pk).update(**values)
                        rewritten += len(batch)
                        batch = list(rows.filter(pk__gt=batch[-1].pk)[:BATCH])
            except ImproperlyConfigured as error:
                raise CommandError(f"{model._meta.label}: {error} Nothing was rewritten.") from error
            self.stdout.write(f"{model._meta.label}: {rewritten} row(s) re-encrypted ({', '.join(names)}).")
