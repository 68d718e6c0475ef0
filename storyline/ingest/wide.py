"""UTF-16 and UTF-32 text: told by a byte-order mark, or for UTF-16 by its zero bytes.

Checked before anything else in decoding: the zero bytes of these encodings make them look
binary to the sniffer, and a code-page detector would turn them into mojibake.
"""

from __future__ import annotations

import codecs
import io
from typing import IO

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


# Bytes pulled from the wide stream per refill: a multiple of 4, so most reads end on a code unit.
_CHUNK_BYTES = 1 << 16


class _Recoded(io.RawIOBase):
    """A UTF-16/32 byte stream read as UTF-8, so the line readers of JSONL and CSV need no change.

    Broken bytes end the stream with an S105 error only after the text before them was served:
    the rows before a bad byte are kept, as they would be in a UTF-8 file.
    """

    def __init__(self, source: IO[bytes], encoding: str, locator: str, offset: int) -> None:
        super().__init__()
        self._source = source
        self._encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._locator = locator
        self._pending = b""
        self._consumed = offset  # file bytes decoded so far (the BOM too), for the error's position
        self._error: InputError | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            self._refill()
        if not self._pending:
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _refill(self) -> None:
        data = self._source.read(_CHUNK_BYTES)
        final = not data
        try:
            text = self._decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            # exc.object starts on a code-unit boundary (the decoder's carried bytes first), so a
            # fresh decoder reads the good prefix the same way.
            good = bytes(exc.object[: exc.start]).decode(self._encoding)
            where = self._consumed + exc.start - (len(exc.object) - len(data))
            self._pending = good.encode("utf-8")
            self._error = InputError(
                errors.UNDECODABLE, self._locator, f"invalid {self._encoding} at byte {where}"
            )
            self._done = True
            return
        self._consumed += len(data)
        self._pending = text.encode("utf-8", errors="surrogatepass")
        self._done = final


def utf8_stream(stream: IO[bytes], locator: str) -> IO[bytes]:
    """Return ``stream``, or a UTF-8 reading of it when it is UTF-16/32 (by BOM or zero bytes).

    JSONL and CSV are read line by line as UTF-8; without this a UTF-16 export (what Excel and
    PowerShell write) would be rejected line by line. Only a seekable stream is sniffed.
    """
    if not stream.seekable():
        return stream
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    encoding = _bom_encoding(head)
    offset = 0
    if encoding is not None:
        offset = len(next(bom for bom, name in _BOMS if name == encoding))
        stream.read(offset)
    else:
        encoding = _bomless_utf16(head)
        if encoding is None:
            return stream
    return io.BufferedReader(_Recoded(stream, encoding, locator, offset))
