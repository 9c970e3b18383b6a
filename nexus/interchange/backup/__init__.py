"""Backup and restore of the whole instance as one versioned JSON archive.

What is backed up: every model of every `nexus.*` app (found in the app registry, so a
later app's models are included without a change here), plus the rows of other apps
that are this instance's data: auth groups (roles), the admin log and the JWT blacklist.
Content types and permissions are not: `migrate` rebuilds them with ids of its own, so
rows that point at them are written with natural keys (("view_hub", "knowledge",
"hub")) and find this database's ids on restore. Sessions are not either: people sign in
again. Every other row keeps its primary key, so foreign keys hold.

The archive is one JSON document, `{"header": {...}, "rows": [...]}`, written one row a
line so both sides stream: the header line first (format, version, migrations, and per
model the row count and a content checksum), then each row as Django's serializers write
it (`{"model", "pk", "fields"}`), then `]}`. A name ending in `.gz` is gzip-compressed;
restore recognises gzip by its bytes, whatever the name.

A checksum is the sha256 of a model's rows read back from the database in a canonical
form that does not depend on the engine (datetimes in UTC with microseconds, decimals
normalised, JSON with sorted keys, many-to-many links as sorted ids): restore recomputes
it from the restored database, so a backup from SQLite proves itself on PostgreSQL.

scope.py says what is backed up, checksums.py computes the checksums, archive.py writes
and reads the file, dump.py makes a backup and restore.py loads one.
"""

from nexus.interchange.backup.archive import FORMAT, VERSION
from nexus.interchange.backup.checksums import instance_checksums
from nexus.interchange.backup.dump import BackupReport, instance_backup
from nexus.interchange.backup.restore import RestoreReport, instance_restore
from nexus.interchange.backup.scope import backup_models

__all__ = [
    "FORMAT",
    "VERSION",
    "BackupReport",
    "RestoreReport",
    "backup_models",
    "instance_backup",
    "instance_checksums",
    "instance_restore",
]
