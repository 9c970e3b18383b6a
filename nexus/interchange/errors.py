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
