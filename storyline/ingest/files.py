"""Files as inputs: locators for any file name, the walk of a folder, bounded reading.

Every entry of a walked folder becomes exactly one path to read or one Rejected row (a PDF, a
FIFO, a dangling symlink are reported, not skipped in silence). Reading is bounded by
``max_bytes`` *before* data is held: a line, a CSV record or a whole file is read with a size
cap, so a compressed bomb costs at most ``max_bytes`` of memory, never its decompressed size.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.models import Rejected

if TYPE_CHECKING:
    from collections.abc import Iterator

# POSIX file names are bytes; Python shows a byte that is not UTF-8 as a lone surrogate
# (PEP 383), which no database or JSON encoder accepts.
_SURROGATES = re.compile("[\ud800-\udfff]")
_ESCAPES = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")
# On Windows the backslash is the path separator and names are never raw bytes.
_POSIX = os.sep == "/"
_ESCAPABLE = re.compile("[\\\\\ud800-\udfff]" if _POSIX else "[\ud800-\udfff]")
_ESCAPED_BYTE = 0xDC00  # PEP 383 maps byte b (>= 0x80) to code point 0xDC00 + b
# Skipping the rest of an over-long line reads it in pieces of this size (memory, not a tunable).
_SKIP_CHUNK = 1 << 16


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if _ESCAPED_BYTE + 0x80 <= code <= _ESCAPED_BYTE + 0xFF:
        return f"\\x{code - _ESCAPED_BYTE:02x}"
    return f"\\u{code:04x}"


def locator_of(path: Path | str) -> str:
    r"""Return a path as a locator that any store can hold and a person can read.

    A name that is valid text is returned as it is. Bytes that are not UTF-8 are shown as
    ``\xNN`` (``bad\xffname.txt``); a POSIX name holding a backslash has it doubled, so that
    the mapping stays reversible (``path_of``) and a name that really is ``a\xff`` cannot
    collide with one holding the byte 0xff.

    >>> locator_of("bad\udcffname.txt")
    'bad\\xffname.txt'
    """
    text = str(path)
    if not _SURROGATES.search(text) and not (_POSIX and "\\" in text):
        return text
    return _ESCAPABLE.sub(_escape_char, text)


def path_of(locator: str) -> str:
    """Return the file name a ``locator_of`` locator stands for (its inverse on POSIX)."""
    if "\\" not in locator:
        return locator

    def unescape(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape == "\\":
            return "\\"
        if escape.startswith("x"):
            return chr(_ESCAPED_BYTE + int(escape[1:], 16))
        return chr(int(escape[1:], 16))

    return _ESCAPES.sub(unescape, locator)


def printable(text: str) -> str:
    """Return ``text`` with lone surrogates shown as escapes, so it can be stored."""
    if not _SURROGATES.search(text):
        return text
    return _SURROGATES.sub(_escape_char, text)


def rejected(locator: str, code: str, reason: str) -> Rejected:
    """Return a Rejected row whose text can be stored whatever bytes it quotes."""
    return Rejected(printable(locator), code, printable(reason))


def open_regular(path: Path) -> IO[bytes]:
    """Open a regular file for reading; a FIFO or device is refused without blocking on it.

    Raises:
        InputError: S117 when the path is not a regular file.
        OSError: when it cannot be opened.
    """
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(errors.NOT_REGULAR_FILE, locator_of(path), _kind(mode))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISDIR: "a folder",
    }
    name = next((name for test, name in kinds.items() if test(mode)), "not a regular file")
    return f"{name}, not a regular file"


def classify(path: Path) -> Path | Rejected:
    """Return ``path`` when it is a regular file (or a symlink to one), else a Rejected row."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            return rejected(
                locator_of(path), errors.MISSING_PATH, "broken symlink (dangling or a loop)"
            )
        return rejected(locator_of(path), errors.MISSING_PATH, f"cannot stat ({exc.strerror})")
    if stat.S_ISDIR(mode):
        return rejected(locator_of(path), errors.NOT_REGULAR_FILE, "symlinked folder, not followed")
    if not stat.S_ISREG(mode):
        return rejected(locator_of(path), errors.NOT_REGULAR_FILE, _kind(mode))
    return path


def walk(folder: Path) -> Iterator[Path | Rejected]:
    """Yield every non-hidden entry below ``folder`` in a stable order, as a path or Rejected.

    Symlinked folders are not followed (a loop would never end); an unreadable subfolder is a
    Rejected row, not a silent gap.
    """
    found: list[Path | Rejected] = []

    def unreadable(exc: OSError) -> None:
        name = exc.filename if isinstance(exc.filename, str) else str(folder)
        found.append(
            rejected(locator_of(name), errors.MISSING_PATH, f"cannot list ({exc.strerror})")
        )

    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=False):
        here = Path(root)
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                found.append(classify(here / name))  # a symlinked folder: reported, not walked
            else:
                kept.append(name)
        dirs[:] = kept
        found.extend(classify(here / name) for name in names if not name.startswith("."))
    found.sort(key=lambda item: item.locator if isinstance(item, Rejected) else locator_of(item))
    yield from found


def read_whole(stream: IO[bytes], locator: str, max_bytes: int) -> bytes:
    """Return the whole stream, or raise S106 once it passes ``max_bytes`` (not after).

    Raises:
        InputError: S106 when the stream holds more than ``max_bytes`` bytes.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(errors.TOO_LARGE, locator, f"over {max_bytes} bytes")
    return data


def bounded_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | None]:
    """Yield each line of ``stream``, or None for a line longer than ``max_bytes``.

    An over-long line is skipped in fixed-size pieces, so it is never held whole and the lines
    after it are still read.
    """
    while line := stream.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
            pass
        yield None
