from nexus.core.errors import Conflict, InvalidInput, NexusError


class ReadmeUnreadable(InvalidInput):
    """Bytes that are not a text file we can decode (binary, empty, an unknown encoding)."""

    code = "readme_unreadable"
    message = "This file cannot be read as a README."


class ReadmeTooLarge(NexusError):
    code = "readme_too_large"
    status = 413
    message = "This README is too large to import."


class ReadmeTooManyEntries(InvalidInput):
    code = "readme_too_many_entries"
    message = "This README would create more entries than one import may."


class ImportConflict(Conflict):
    """Entries changed in Nexus since the last import, in the same places the file changed."""

    code = "import_conflict"
    message = "Some entries changed in Nexus since the last import, in the same places the file changed."


class BackupOutputUnusable(InvalidInput):
    """OUT_FILE cannot be written: its folder is missing, not writable, or it is a folder."""

    code = "backup_output_unusable"
    message = "The backup cannot be written there."


class BackupUnreadable(InvalidInput):
    """Not a Nexus backup, or one whose bytes are damaged (not JSON, a broken row, a row
    this database refuses)."""

    code = "backup_unreadable"
    message = "This file cannot be read as a Nexus backup."


class BackupTruncated(BackupUnreadable):
    """The archive stops before its end marker: an interrupted copy or a full disk."""

    code = "backup_truncated"
    message = "This backup is incomplete."


class BackupVersionUnsupported(InvalidInput):
    code = "backup_version_unsupported"
    message = "This backup was written in a format version this Nexus does not read."


class BackupSchemaMismatch(InvalidInput):
    """The archive was made at other migrations than this database is at."""

    code = "backup_schema_mismatch"
    message = "This backup was made with another version of the database schema."


class BackupChecksumMismatch(InvalidInput):
    """The restored rows differ from what the archive's header recorded at backup time."""

    code = "backup_checksum_mismatch"
    message = "The restored data does not match the backup's checksums."


class RestoreTargetNotEmpty(Conflict):
    """Restore only fills an empty database; it never merges into or overwrites one."""

    code = "restore_target_not_empty"
    message = "This database already holds data."
