"""UTF-16 and UTF-32 text: told by a byte-order mark, or for UTF-16 by its zero bytes.

Checked before anything else in decoding: the zero bytes of these encodings make them look
binary to the sniffer, and a code-page detector would turn them into mojibake.
"""

from __future__ import annotations

from storyline import errors
from storyline.errors import InputError

# Byte-order marks, longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SNIFF_BYTES = 8192
# UTF-16 without a BOM: text in Latin script has a zero byte in (nearly) every other position
# and none in the others. Half of the sampled pairs is far from what a legacy code page gives
# (no zero bytes at all); a structural bound, not fitted on any data set.
_UTF16_MIN_ZERO_SHARE = 0.5
_MIN_PAIRS = 2  # fewer bytes show no pattern


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _bomless_utf16(data: bytes) -> str | None:
    pairs = len(data[:_SNIFF_BYTES]) // 2
    if pairs < _MIN_PAIRS:
        return None
    even = data[: pairs * 2 : 2].count(0)
    odd = data[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * _UTF16_MIN_ZERO_SHARE and even == 0:
        return "utf-16-le"
    if even >= pairs * _UTF16_MIN_ZERO_SHARE and odd == 0:
        return "utf-16-be"
    return None


def decode_wide(data: bytes, locator: str) -> str | None:
    """Return the text of UTF-16/32 ``data`` without its BOM, or None when it is not UTF-16/32.

    Raises:
        InputError: S105 when a BOM promises an encoding the bytes do not follow.
    """
    encoding = _bom_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            reason = f"invalid {encoding} after its byte-order mark ({exc.reason})"
            raise InputError(errors.UNDECODABLE, locator, reason) from exc
    encoding = _bomless_utf16(data)
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None  # only looked like UTF-16: let the other detectors try
