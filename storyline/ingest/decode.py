"""Bytes to text: binary sniffing, encoding detection and mojibake repair."""

from __future__ import annotations

import codecs
import re

import ftfy
from charset_normalizer import from_bytes

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.wide import decode_wide

_SNIFF_BYTES = 8192
# Printable text has almost no C0 control bytes besides tab/newline/CR/form feed.
_TEXT_CONTROLS = {9, 10, 12, 13}
_MAX_CONTROL_RATIO = 0.05
# The control bytes counted against text (every C0 byte but the four above): ``bytes.translate``
# deletes them in C, where a generator over 8 KiB per page was a percent of the HTML reader.
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in _TEXT_CONTROLS)


def looks_binary(data: bytes) -> bool:
    """Return True when the first bytes look like a binary file rather than text."""
    head = data[:_SNIFF_BYTES]
    if not head:
        return False
    if b"\x00" in head and not _is_utf16(head):
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > _MAX_CONTROL_RATIO


def _is_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


# Characters that Western European news in cp1252 is made of; detectors often pick a rarer
# code page (cp775, cp1250) for short samples of it, so cp1252 wins when it yields only these.
_WESTERN = frozenset(
    "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßœŒšŠžŽ"
    "‘’“”„–—…€£¥©®°±²³·«»¿¡§¶ºª×÷\u00a0"
)


def _western(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    odd = [c for c in text if ord(c) > 127 and c not in _WESTERN]
    return text if not odd else None


def _detected(data: bytes, locator: str) -> str:
    best = from_bytes(data).best()
    if best is None:
        raise InputError(errors.UNDECODABLE, locator, "bytes match no known text encoding")
    return str(best)


# Lines made only of these characters are left as they are by ftfy (no mojibake can be spelled
# without a Latin-1 letter, no entity without "&", no markup without "<", all NFC already), so
# ``repair_text`` hands ftfy only the other lines: most lines of English news are plain.
_PLAIN_LINE_RE = re.compile(r"[\t\x20-\x25\x27-\x3b\x3d-\x7e‘’“”–—…]*\n?")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+")  # ftfy's segments: split after each "\n" only
_FIX = {"uncurl_quotes": False, "normalization": "NFC"}
# Han, kana, hangul (syllables, jamo, compatibility jamo) and CJK punctuation: a line holding
# any keeps its characters' widths. Full-width punctuation (，。：（）), digits and the
# ideographic space are how CJK text is typeset, and ftfy's fix_character_width would turn
# them into ASCII, changing the article's exact words. A line without them (Latin text with
# "ＬＯＵＤ" from a CJK input method) still gets ASCII: the English stages (quote cues, dates,
# names) read ASCII letters and digits, and the widths there carry no meaning.
_CJK_LINE_RE = re.compile(
    "[\u1100-\u11ff\u3001-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)


def repair_text(text: str) -> str:
    """Return ``ftfy.fix_text(text)`` (curly quotes kept, NFC), running ftfy only where needed.

    ftfy already fixes text line by line; lines of plain characters (``_PLAIN_LINE_RE``) pass
    through unchanged, the rest go to ftfy in order with its one piece of state: after a line
    holding "<", HTML entities are no longer unescaped. A line of CJK text keeps its full-width
    characters (``_CJK_LINE_RE``).
    """
    out: list[str] = []
    markup = False
    for line in _LINE_RE.findall(text):
        if _PLAIN_LINE_RE.fullmatch(line):
            out.append(line)
            continue
        markup = markup or "<" in line
        options: dict[str, object] = {**_FIX, "unescape_html": False} if markup else dict(_FIX)
        if _CJK_LINE_RE.search(line):
            options["fix_character_width"] = False
        out.append(ftfy.fix_text(line, **options))  # type: ignore[arg-type]
    return "".join(out)


def decode_bytes(
    data: bytes, locator: str, *, declared: str | None = None, fix_text: bool = True
) -> str:
    """Decode ``data`` to clean text: pick the encoding, repair mojibake, normalise newlines.

    Args:
        data: the bytes as read.
        locator: where they came from, for error messages.
        declared: the charset the document declares (``declared_charset``), tried before any
            guess.
        fix_text: run ftfy over the whole text; the HTML reader turns it off and repairs only
            the text it extracts (ftfy over a whole page costs more than extracting it).

    Raises:
        InputError: S101 when empty, S104 when binary, S105 when no encoding fits.
    """
    wide = decode_wide(data, locator)  # first: UTF-16/32 zero bytes would look binary
    if wide is not None:
        data = wide.encode("utf-8")  # the checks and repairs below then see UTF-8
    if not data.strip():
        raise InputError(errors.EMPTY_INPUT, locator, "the input is empty")
    if looks_binary(data):
        raise InputError(errors.BINARY_INPUT, locator, "binary content, not text")
    text = _decoded(data, locator, declared)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # repair_text, as every reader's text: CJK lines keep their full-width punctuation
    return repair_text(text) if fix_text else text


def _decoded(data: bytes, locator: str, declared: str | None) -> str:
    """Decode once: valid UTF-8, else the declared charset, else UTF-8 with stray bytes repaired.

    A whole-page code-page guess comes last: one stray byte in a UTF-8 page must not turn every
    curly quote of it into cp775 mojibake.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    codec = _codec(declared)
    if codec is not None and codec != "utf-8":
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass  # the declaration is wrong: judge the bytes themselves
    if codec == "utf-8" or _mostly_utf8(data):
        return data.decode("utf-8", errors=_STRAY_HANDLER)
    return _western(data) or _detected(data, locator)


# A meta charset (HTML5 `<meta charset>` or the http-equiv Content-Type form) in the page head.
_META_CHARSET_RE = re.compile(
    rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{2,40})", re.IGNORECASE
)
# WHATWG Encoding Standard: these labels mean windows-1252 in every browser.
_WINDOWS_1252_LABELS = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})


def declared_charset(data: bytes) -> str | None:
    """Return the charset a page declares in a meta tag within its first bytes, or None."""
    found = _META_CHARSET_RE.search(data[:_SNIFF_BYTES])
    return found.group(1).decode("ascii").lower() if found else None


def _codec(label: str | None) -> str | None:
    """Return Python's codec name for a charset label, or None when Python has no such codec."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _WINDOWS_1252_LABELS:
        return "cp1252"
    return "utf-8" if name in {"utf-8", "utf-8-sig"} else name


def _repair_stray_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decode each byte UTF-8 cannot read as windows-1252 (Latin-1 where cp1252 has a gap)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    stray = exc.object[exc.start : exc.end]
    return "".join(_cp1252_byte(byte) for byte in stray), exc.end


def _cp1252_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_STRAY_HANDLER = "storyline.stray_bytes"
codecs.register_error(_STRAY_HANDLER, _repair_stray_bytes)
_UTF8_SEQUENCE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTE_RE = re.compile(rb"[\x80-\xff]")


def _mostly_utf8(data: bytes) -> bool:
    """Return True when well-formed UTF-8 sequences outnumber the bytes outside them.

    A majority rule, not a fitted ratio: text in a single-byte code page almost never forms
    valid multi-byte sequences, and a UTF-8 page with a few pasted legacy bytes has many.
    """
    sequences = _UTF8_SEQUENCE_RE.findall(data)
    in_sequences = sum(len(seq) for seq in sequences)
    stray = len(_HIGH_BYTE_RE.findall(data)) - in_sequences
    return len(sequences) > stray
