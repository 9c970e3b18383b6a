"""What a backup holds: the models whose rows are this instance's data, found in the app
registry so a later app's models are included without a change here, and which of them
restore treats specially."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.apps import apps
from django.core import serializers
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder

# Rows of apps outside nexus.* that are this instance's data: roles are groups; the
# blacklist keeps rotated refresh tokens refused after a restore.
OTHER_MODELS = ("auth.group", "admin.logentry", "token_blacklist.outstandingtoken", "token_blacklist.blacklistedtoken")
# Rebuilt by `migrate` (post_migrate) with ids of their own: never backed up, referred to
# by natural key.
REBUILT_BY_MIGRATE = frozenset({"auth.permission", "contenttypes.contenttype"})
# Tables the migrations fill (accounts 0002 seeds the role groups, knowledge 0002 the
# starting vocabulary), so a freshly migrated database is "empty" with these rows in it.
# Restore replaces them with the archive's rows instead of counting them as content: the
# archive holds the source's own versions (curated by its mentors since), with the ids
# its entries and memberships point at. A later app whose migrations seed rows adds its
# models here.
# search 0002 indexes that vocabulary, so its documents are seeded rows too; community
# 0002 seeds the capstone projects.
SEEDED_BY_MIGRATIONS = frozenset(
    {"auth.group", "knowledge.topic", "knowledge.technology", "search.searchdocument", "community.project"}
)
# Raw request rows live a few days (traffic retention rolls them into daily aggregates,
# which are backed up): they are not the instance's data, and an archive would carry
# visitors' network prefixes for no use.
NOT_BACKED_UP = frozenset({"traffic.requestlog"})


def is_instance_data(model: type[models.Model]) -> bool:
    """A model whose rows belong in a backup (not a proxy, not rebuilt by migrate)."""
    meta = model._meta
    if meta.proxy or not meta.managed or meta.label_lower in REBUILT_BY_MIGRATE | NOT_BACKED_UP:
        return False
    return meta.app_config.name.startswith("nexus.") or meta.label_lower in OTHER_MODELS  # type: ignore[union-attr]


def backup_models() -> list[type[models.Model]]:
    """Every model whose rows are this instance's data, in an order restore can load:
    rows found by natural key (users, groups) come before the rows that point at them."""
    by_app: dict[str, list[type[models.Model]]] = {}
    for model in apps.get_models():
        if is_instance_data(model):
            by_app.setdefault(model._meta.app_label, []).append(model)
    return serializers.sort_dependencies([(apps.get_app_config(label), found) for label, found in by_app.items()])


def is_rebuilt(model: Any) -> bool:
    """A permission or content type, whose ids belong to each database."""
    return isinstance(model, type) and issubclass(model, models.Model) and model._meta.label_lower in REBUILT_BY_MIGRATE


def refers_to_rebuilt_rows(model: type[models.Model]) -> bool:
    """Rows pointing at permissions or content types: written with natural foreign keys."""
    return any(is_rebuilt(field.related_model) for field in (*model._meta.fields, *model._meta.many_to_many))


def auto_m2m(model: type[models.Model]) -> list[models.ManyToManyField[Any, Any]]:
    """Many-to-many fields whose links live in Django's own through table (an explicit
    through model is a model of its own, backed up as such)."""
    return [
        cast("models.ManyToManyField[Any, Any]", field)
        for field in model._meta.many_to_many
        if field.remote_field.through._meta.auto_created  # type: ignore[union-attr]
    ]


def applied_migrations(app_labels: Iterable[str]) -> dict[str, list[str]]:
    """The schema an archive's rows fit: each app's applied migrations, by name."""
    applied = MigrationRecorder(connection).applied_migrations()
    wanted = set(app_labels)
    found: dict[str, list[str]] = {label: [] for label in sorted(wanted)}
    for app_label, name in applied:
        if app_label in wanted:
            found[app_label].append(name)
    return {label: sorted(names) for label, names in found.items()}
