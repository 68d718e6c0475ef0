"""Bytes to text: binary sniffing, encoding detection and mojibake repair."""

from __future__ import annotations

import ftfy
from charset_normalizer import from_bytes

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.wide import decode_wide

_SNIFF_BYTES = 8192
# Printable text has almost no C0 control bytes besides tab/newline/CR/form feed.
_TEXT_CONTROLS = {9, 10, 12, 13}
_MAX_CONTROL_RATIO = 0.05


def looks_binary(data: bytes) -> bool:
    """Return True when the first bytes look like a binary file rather than text."""
    head = data[:_SNIFF_BYTES]
    if not head:
        return False
    if b"\x00" in head and not _is_utf16(head):
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROLS)
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


def decode_bytes(data: bytes, locator: str) -> str:
    """Decode ``data`` to clean text: detect the encoding, repair mojibake, normalise newlines.

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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _western(data) or _detected(data, locator)
    text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    return text.replace("\r\n", "\n").replace("\r", "\n")
