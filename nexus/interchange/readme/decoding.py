"""Bytes of an uploaded README to text: BOMs, UTF-16 from a shell redirect, legacy code
pages, and mojibake (UTF-8 read as Windows-1252 or Mac Roman and saved again) repaired by
ftfy. Every repair is reported, so the learner knows what changed."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import ftfy
from charset_normalizer import from_bytes

from nexus.interchange.errors import ReadmeUnreadable
from nexus.interchange.readme.markers import EXPORT_MARK

# Only the repairs that undo damage; ftfy's cosmetic fixes (curly quotes, ligatures,
# full-width letters, NFC) would change what the learner wrote.
REPAIR_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than tab, newline, carriage return and form feed: a text file has
# almost none; a binary file is full of them.
CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class DecodedReadme:
    text: str
    encoding: str
    repairs: list[str] = field(default_factory=list)


def readme_decode(data: bytes) -> DecodedReadme:
    """Decode and repair a README's bytes; raises ReadmeUnreadable with what to fix."""
    if not data.strip():
        raise ReadmeUnreadable("The file is empty.")
    text, encoding = _decode(data)
    repairs: list[str] = []
    if encoding not in ("utf-8",):
        repairs.append(f"Decoded from {encoding}; saved as UTF-8.")
    controls = sum(1 for char in text[:65536] if char in CONTROL)
    if controls > max(8, len(text[:65536]) // 100):
        raise ReadmeUnreadable("This looks like a binary file, not Markdown text. Upload the README.md itself.")
    # A file Nexus exported was written as UTF-8 by Nexus itself: characters in it that
    # look like mojibake are what the learner typed, and a round trip must keep them.
    exported = encoding == "utf-8" and EXPORT_MARK in text
    fixed, steps = (text, None) if exported else ftfy.fix_and_explain(text, config=REPAIR_ONLY)
    if steps and fixed != text:
        codecs_used = [name for action, name in steps if action == "encode"]
        repairs.append(
            "Repaired mojibake (UTF-8 that had been read as "
            + ", ".join(sorted(set(codecs_used)) or ["another code page"])
            + f"): {_changed_count(text, fixed)} characters fixed."
        )
        text = fixed
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return DecodedReadme(text=text.replace("\x00", ""), encoding=encoding, repairs=repairs)


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), f"{encoding} with a byte-order mark"
            except UnicodeDecodeError as error:
                raise ReadmeUnreadable(
                    f"The file starts with a {encoding} byte-order mark but is not valid."
                ) from error
    guess = _utf16_without_bom(data)
    if guess:
        return data.decode(guess), guess
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise ReadmeUnreadable("This looks like a binary file, not Markdown text. Upload the README.md itself.")
    best = from_bytes(data[:262144]).best()
    if best is None:
        raise ReadmeUnreadable("The file's text encoding could not be recognised; save it as UTF-8 and try again.")
    return data.decode(best.encoding, errors="replace"), best.encoding


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text from a redirect has a NUL in every other byte of its ASCII characters."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    for encoding, nul_share, other in (("utf-16-le", odd_nul, even_nul), ("utf-16-be", even_nul, odd_nul)):
        if nul_share > 0.4 and other < 0.05:
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None


def _changed_count(before: str, after: str) -> int:
    return abs(len(before) - len(after)) or sum(1 for a, b in zip(before, after, strict=False) if a != b)
