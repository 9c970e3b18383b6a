"""The archive file: `{"header": {...}, "rows": [...]}` written one row a line, so both
sides stream; gzip when the name ends in .gz (recognised by its bytes on reading).
Reading turns every way a file can be wrong into an error a person can act on."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO, cast

from django.core.serializers.json import DjangoJSONEncoder

from nexus.interchange.errors import BackupOutputUnusable, BackupTruncated, BackupUnreadable, BackupVersionUnsupported

FORMAT = "nexus-backup"
VERSION = 1
# The layout restore reads line by line: the header line, one row a line, the end line.
HEADER_OPENING = '{"header": '
ROWS_OPENING = ', "rows": [\n'
END_LINE = "]}"
HEADER_MAX_CHARS = 1_000_000
GZIP_MAGIC = b"\x1f\x8b"


class ArchiveEncoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes and times keep their microseconds (it cuts them to
    milliseconds, as ECMAScript does, and the checksums would rightly fail)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


@contextlib.contextmanager
def archive_output(destination: str | os.PathLike[str]) -> Iterator[TextIO]:
    """A text stream onto OUT_FILE that appears only when complete (written to a temporary
    file beside it, then renamed), readable by its owner only: it holds password hashes."""
    path = Path(destination)
    if path.is_dir():
        raise BackupOutputUnusable(f"{path} is a folder; give the backup a file name, e.g. {path / 'nexus.json.gz'}.")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupOutputUnusable(f"Cannot write {path}: {error.strerror or error}.") from error
    try:
        with contextlib.ExitStack() as stack:
            raw: IO[bytes] = stack.enter_context(os.fdopen(descriptor, "wb"))
            if path.name.endswith(".gz"):
                raw = cast("IO[bytes]", stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=raw)))
            yield stack.enter_context(io.TextIOWrapper(raw, encoding="utf-8", newline="\n"))
        os.replace(temporary, path)
    except OSError as error:
        raise BackupOutputUnusable(f"Cannot write {path}: {error.strerror or error}.") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def archive_write(stream: TextIO, header: dict[str, Any], rows: Iterable[dict[str, Any]]) -> None:
    """The header line, a row a line, the end line: valid JSON that restore reads as it goes."""
    stream.write(HEADER_OPENING + json.dumps(header, ensure_ascii=False) + ROWS_OPENING)
    separator = ""
    for row in rows:
        stream.write(separator + json.dumps(row, cls=ArchiveEncoder, ensure_ascii=False))
        separator = ",\n"
    stream.write(("\n" if separator else "") + END_LINE + "\n")


class Archive:
    """An archive read line by line: the header at once, the rows as they are consumed."""

    def __init__(self, source: str | os.PathLike[str]) -> None:
        self.name = str(source)
        self.line_number = 0
        self.stack = contextlib.ExitStack()
        try:
            raw: IO[bytes] = self.stack.enter_context(open(source, "rb"))  # noqa: SIM115 (closed by close())
            magic = raw.read(2)
            raw.seek(0)
            if magic == GZIP_MAGIC:
                raw = cast("IO[bytes]", self.stack.enter_context(gzip.GzipFile(filename="", mode="rb", fileobj=raw)))
        except FileNotFoundError as error:
            self.close()
            raise BackupUnreadable(f"There is no file {self.name}.") from error
        except OSError as error:
            self.close()
            raise BackupUnreadable(f"Cannot read {self.name}: {error.strerror or error}.") from error
        self.text = io.TextIOWrapper(raw, encoding="utf-8")
        try:
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.stack.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _readline(self, limit: int = -1) -> str:
        """The next line ("" at the end of the file)."""
        line = self._guarded(lambda: self.text.readline(limit))
        if line:
            self.line_number += 1
        return line

    def _guarded(self, read: Callable[[], str]) -> str:
        """A read whose gzip and decoding failures become errors a person can act on."""
        try:
            return read()
        except EOFError as error:  # a gzip stream cut short
            raise self._truncated() from error
        except UnicodeDecodeError as error:
            raise BackupUnreadable(
                f"{self.name} is not a Nexus backup: it is not UTF-8 text (near line {self.line_number + 1})."
            ) from error
        except (OSError, zlib.error) as error:  # not gzip after all, a damaged deflate stream, a bad CRC
            raise BackupUnreadable(f"{self.name} is damaged: {error}.") from error

    def _truncated(self) -> BackupTruncated:
        return BackupTruncated(
            f"{self.name} ends at line {self.line_number}, before the end of the archive: the file is incomplete "
            "(an interrupted copy or a full disk). Restore from a complete copy."
        )

    def _read_header(self) -> dict[str, Any]:
        line = self._readline(HEADER_MAX_CHARS)
        not_ours = f"{self.name} is not a Nexus backup"
        if not line.strip():
            raise BackupUnreadable(f"{not_ours}: it is empty.")
        if not line.startswith(HEADER_OPENING):
            looks_like_json = line.lstrip().startswith(("{", "["))
            raise BackupUnreadable(
                f"{not_ours}: "
                + ("it is JSON without a nexus-backup header." if looks_like_json else "it is not JSON.")
                + " Give a file that `manage.py nexus_backup` wrote."
            )
        if not line.endswith("\n"):
            if len(line) >= HEADER_MAX_CHARS:
                raise BackupUnreadable(f"{not_ours}: its header line is longer than any backup's.")
            raise self._truncated()
        if not line.endswith(ROWS_OPENING):
            raise BackupUnreadable(f"{self.name} is damaged: its header line does not end as a backup's does.")
        try:
            header = json.loads(line[len(HEADER_OPENING) : -len(ROWS_OPENING)])
        except ValueError as error:
            raise BackupUnreadable(f"{self.name} is damaged: its header is not valid JSON ({error}).") from error
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            found = header.get("format") if isinstance(header, dict) else None
            raise BackupUnreadable(f"{not_ours}: its format is {found!r}, not {FORMAT!r}.")
        version = header.get("version")
        if version != VERSION:
            newer = isinstance(version, int) and not isinstance(version, bool) and version > VERSION
            raise BackupVersionUnsupported(
                f"{self.name} is a version {version} Nexus backup; this Nexus reads version {VERSION}. "
                + (
                    "It was written by a newer Nexus: restore it with that release or a later one."
                    if newer
                    else "Restore it with the Nexus release that wrote it."
                ),
                details={"version": version, "supported": [VERSION]},
            )
        counts, checksums, migrations = header.get("counts"), header.get("checksums"), header.get("migrations")
        well_formed = (
            isinstance(counts, dict)
            and isinstance(checksums, dict)
            and isinstance(migrations, dict)
            and counts.keys() == checksums.keys()
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts.values())
            and all(isinstance(c, str) for c in checksums.values())
            and all(isinstance(names, list) for names in migrations.values())
        )
        if not well_formed:
            raise BackupUnreadable(
                f"{self.name} is damaged: its header lacks well-formed counts, checksums or migrations."
            )
        return header

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each row, checked for shape; the archive must end with its end line."""
        while line := self._readline():
            text = line.rstrip("\r\n")
            if text == END_LINE:
                if self._guarded(self.text.read).strip():
                    raise BackupUnreadable(
                        f"{self.name} is damaged: there is more after its end (line {self.line_number})."
                    )
                return
            if not line.endswith("\n"):  # a last line cut short
                raise self._truncated()
            try:
                row = json.loads(text.removesuffix(","))
            except ValueError as error:
                raise BackupUnreadable(
                    f"{self.name} is damaged: line {self.line_number} is not valid JSON ({error})."
                ) from error
            if not (
                isinstance(row, dict) and isinstance(row.get("model"), str) and isinstance(row.get("fields"), dict)
            ):
                raise BackupUnreadable(f"{self.name} is damaged: line {self.line_number} is not a row.")
            yield row
        raise self._truncated()
