"""Bytes of an uploaded README to text: BOMs, UTF-16 from a shell redirect, legacy code
pages, UTF-8 with a few stray bytes, and mojibake (UTF-8 read as Windows-1252 or Mac Roman
and saved again) repaired by ftfy. Every repair is reported, so the learner knows what
changed; what is not text (images, archives, empty files) is refused with what to upload."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass, field

import ftfy
from charset_normalizer import from_bytes
from ftfy.badness import BADNESS_RE

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
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
NON_ASCII = re.compile("[^\x00-\x7f]+")
# What ftfy repairs without looking for mojibake: C1 controls and lone surrogates.
C1_OR_SURROGATE = re.compile("[\x80-\x9f\ud800-\udfff]")
# A byte that is not UTF-8, as decode(errors="surrogateescape") leaves it.
STRAY_BYTE = re.compile("[\udc80-\udcff]")
# A UTF-8 lead byte and some of its continuation bytes, then no more: a character cut short.
CUT_CHARACTER = re.compile("[\udcc2-\udcf4][\udc80-\udcbf]+")
# UTF-16 in one script: the high bytes of a page of its text take at most this many values.
UTF16_SCRIPT_BLOCKS = 4
BINARY = "This looks like a binary file, not Markdown text. Upload the README.md itself."
BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\x1f\x8b\x08", "a gzip archive"),
    (b"\x7fELF", "a program"),
)
# Each byte 0x80-0xFF as Windows-1252 reads it (the five it leaves undefined as Latin-1).
WINDOWS_1252 = {byte: bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0x100)}
# Every alternative of ftfy's mojibake pattern needs a non-ASCII character and matches at
# most this many characters (checked by a test against ftfy's own answer).
BADNESS_WIDTH = 7


@dataclass(frozen=True)
class DecodedReadme:
    text: str
    encoding: str
    repairs: list[str] = field(default_factory=list)


def readme_decode(data: bytes) -> DecodedReadme:
    """Decode and repair a README's bytes; raises ReadmeUnreadable with what to fix."""
    if not data.strip():
        raise ReadmeUnreadable("The file is empty.")
    kind = _binary_kind(data)
    if kind:
        raise ReadmeUnreadable(f"{BINARY} This one starts like {kind}.")
    text, encoding, repairs = _decode(data)
    if encoding not in ("utf-8",):
        repairs.insert(0, f"Decoded from {encoding}; saved as UTF-8.")
    if _control_heavy(text):
        raise ReadmeUnreadable(BINARY)
    if not text.replace("\x00", "").strip():
        # A byte-order mark and nothing else (Notepad's empty file), or only spaces.
        raise ReadmeUnreadable("The file is empty: it holds no text, only white space or a byte-order mark.")
    # A file Nexus exported was written as UTF-8 by Nexus itself: characters in it that
    # look like mojibake are what the learner typed, and a round trip must keep them.
    exported = encoding == "utf-8" and EXPORT_MARK in text
    repairable = not exported and may_need_repair(text)
    fixed, steps = ftfy.fix_and_explain(text, config=REPAIR_ONLY) if repairable else (text, None)
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
    nuls = text.count("\x00")
    if nuls:
        repairs.append(f"Removed {nuls:,} NUL character{'s' if nuls > 1 else ''} (a text file has none).")
        text = text.replace("\x00", "")
    return DecodedReadme(text=text, encoding=encoding, repairs=repairs)


def may_need_repair(text: str) -> bool:
    """False only when ftfy's repairs would leave `text` as it is: no C1 controls, no lone
    surrogates, and nothing its mojibake pattern matches. ftfy scans the whole text with
    that pattern at every position; only the stretches around non-ASCII characters can
    match, so only those are searched (a README is mostly ASCII)."""
    if C1_OR_SURROGATE.search(text):
        return True
    windows: list[tuple[int, int]] = []
    for run in NON_ASCII.finditer(text):
        start, end = max(0, run.start() - BADNESS_WIDTH), min(len(text), run.end() + BADNESS_WIDTH)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    # `^` in the pattern still means the start of the text: search() with a position > 0
    # never matches it there.
    return any(BADNESS_RE.search(text, start, end) for start, end in windows)


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, repairs made while decoding)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), f"{encoding} with a byte-order mark", []
            except UnicodeDecodeError as error:
                raise ReadmeUnreadable(
                    f"The file starts with a {encoding} byte-order mark but is not valid."
                ) from error
    guess = _utf16_without_bom(data)
    if guess:
        return data.decode(guess), guess, []
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and not _control_heavy(utf8):
        return utf8, "utf-8", []
    # Cyrillic or Greek in UTF-16 is often valid UTF-8 too, of control characters.
    guess = _utf16_in_one_script(data)
    if guess:
        return data.decode(guess), guess, []
    if utf8 is not None:
        return utf8, "utf-8", []  # refused as binary by the caller
    if b"\x00" in data[:4096]:
        raise ReadmeUnreadable(BINARY)
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    matches = from_bytes(data[:262144])
    best = matches.best()
    if best is None:
        raise ReadmeUnreadable("The file's text encoding could not be recognised; save it as UTF-8 and try again.")
    encoding = best.encoding
    # In mostly-English text a few accented letters read the same in several code pages, and
    # the detector's pick among them is a coin toss (French "à" came out as Baltic "ą").
    # Windows-1252 is what Western editors save: prefer it whenever it reads as cleanly.
    if encoding != "cp1252" and any(
        match.chaos <= best.chaos and "cp1252" in match.could_be_from_charset for match in matches
    ):
        encoding = "cp1252"
    return data.decode(encoding, errors="replace"), encoding, []


def _mostly_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    """UTF-8 with a few bytes that are not (a paragraph pasted from a Latin-1 file, a cut
    emoji): the valid characters are kept as they are, a character cut short becomes �, a
    lone stray byte is read as Windows-1252 (an accented letter, most likely) and the
    repairs say how many of each. None when the stray bytes outnumber the valid non-ASCII
    characters: a file in a legacy code page, then."""
    text = data.decode("utf-8", errors="surrogateescape")
    stray = len(STRAY_BYTE.findall(text))
    valid = sum(map(len, NON_ASCII.findall(STRAY_BYTE.sub("", text))))
    if valid < stray:
        return None
    repairs = []
    cut = len(CUT_CHARACTER.findall(text))
    if cut:
        text = CUT_CHARACTER.sub("\ufffd", text)
        repairs.append(
            ("1 character was" if cut == 1 else f"{cut:,} characters were")
            + " cut short (bytes of UTF-8 missing) and marked with �. Check them in the preview."
        )
    lone = len(STRAY_BYTE.findall(text))
    if lone:
        text = STRAY_BYTE.sub(lambda match: WINDOWS_1252[ord(match.group()) - 0xDC00], text)
        repairs.append(
            ("1 byte was not valid UTF-8; it was" if lone == 1 else f"{lone:,} bytes were not valid UTF-8; they were")
            + " read as Windows-1252. Check the characters around them in the preview."
        )
    return text, "utf-8", repairs


def _binary_kind(data: bytes) -> str | None:
    """What a file people upload by mistake is, from its first bytes."""
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


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


def _control_heavy(text: str) -> bool:
    """More control characters than a text file has: a binary file, or a misread one."""
    sample = text[:65536]
    return len(CONTROL.findall(sample)) > max(8, len(sample) // 100)


def _utf16_in_one_script(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark in mostly non-Latin text (Cyrillic, Greek, CJK...)
    has few NULs, but the high byte of each character takes only a few values, one script's
    block and 0x00 for spaces and Markdown punctuation. Checked only on files that are not
    UTF-8, and only when the whole file decodes and reads as text."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 16:
        return None
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        common = sum(count for _, count in Counter(high).most_common(UTF16_SCRIPT_BLOCKS))
        if common / len(high) < 0.9:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = text[:2048]
        readable = sum(1 for char in head if char.isprintable() or char in "\t\n\r")
        if readable / len(head) >= 0.98 and not _control_heavy(head):
            return encoding
    return None


def _changed_count(before: str, after: str) -> int:
    return abs(len(before) - len(after)) or sum(1 for a, b in zip(before, after, strict=False) if a != b)
