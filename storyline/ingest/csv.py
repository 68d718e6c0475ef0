"""CSV reader: a header row, then one article per row, ``text`` column required."""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
from typing import IO, TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.rows import row_to_article
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# News bodies are long: the stdlib default of 128 KiB per field is too small. The real bound
# is ``max_line_bytes``, enforced on the lines fed to the parser (``_Lines``).
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# Bytes that are not UTF-8 are decoded as lone surrogates (``surrogateescape``), so the parser
# stays in step and only the rows holding them are rejected: one cp1252 "é" in row 2 made the
# whole file one S109 row ("unreadable header") and every other row was lost.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class _RecordTooLargeError(Exception):
    """Raised from inside the CSV parser's line feed once a record passes the limit."""


class _Lines:
    """The lines of a text stream, each read with a cap, counting what one record took.

    The csv module gathers a quoted field across lines in its own buffer; stopping the feed
    once a record passes the limit bounds that buffer too.
    """

    def __init__(self, text: io.TextIOWrapper, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.taken = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.taken += len(line)
        if self.taken > self.limit:
            raise _RecordTooLargeError
        return line


def read_csv(
    stream: IO[bytes], path: str, *, max_line_bytes: int
) -> Iterator[RawArticle | Rejected]:
    """Yield an article or a Rejected row for every data row of a CSV file.

    A record over ``max_line_bytes`` characters is one S106 row and ends the file: the parser
    cannot find the next record inside an unfinished quoted field. A row holding bytes that
    are not UTF-8 is one S105 row; the rows around it are read.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _read_rows(text, path, max_line_bytes)
    finally:
        # the caller owns the byte stream: do not let the wrapper close it when collected
        text.detach()


def _read_rows(
    text: io.TextIOWrapper, path: str, max_line_bytes: int
) -> Iterator[RawArticle | Rejected]:
    lines = _Lines(text, max_line_bytes)
    try:
        reader = csv.DictReader(lines)
        header = reader.fieldnames
    except (UnicodeDecodeError, csv.Error) as exc:
        yield Rejected(path, errors.MALFORMED_CSV, f"unreadable header ({exc})")
        return
    except _RecordTooLargeError:
        yield Rejected(path, errors.TOO_LARGE, f"header over {max_line_bytes} bytes")
        return
    if not header:
        yield Rejected(path, errors.EMPTY_INPUT, "the input is empty")
        return
    if any(_ESCAPED_BYTE.search(name) for name in header):
        yield Rejected(path, errors.UNDECODABLE, f"header is not UTF-8 ({_first_bad(header)})")
        return
    if "text" not in header:
        yield Rejected(path, errors.MISSING_FIELD, "no 'text' column in the header")
        return
    # "id,text,text": DictReader kept the last column's value, the other was lost without a
    # word. Unnamed columns (Excel's trailing commas) are no name given twice.
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        names = ", ".join(map(repr, twice))
        yield Rejected(path, errors.MALFORMED_CSV, f"the header names {names} more than once")
        return
    for row_no in itertools.count():
        locator = f"{path}:{reader.line_num + 1}"
        lines.taken = 0
        try:
            record = next(reader)
        except StopIteration:
            if row_no == 0:  # a header alone is an input with nothing in it, not nothing
                yield Rejected(path, errors.EMPTY_INPUT, "no rows under the header")
            return
        except (UnicodeDecodeError, csv.Error) as exc:
            yield Rejected(locator, errors.MALFORMED_CSV, f"malformed CSV row ({exc})")
            return  # the reader cannot resynchronise after a broken row
        except _RecordTooLargeError:
            yield Rejected(locator, errors.TOO_LARGE, f"row over {max_line_bytes} bytes")
            return  # nor inside a field it did not finish
        try:
            if None in record:
                raise InputError(errors.MALFORMED_CSV, locator, "more fields than the header")
            if sum(len(v or "") for v in record.values()) > max_line_bytes:
                raise InputError(errors.TOO_LARGE, locator, f"row over {max_line_bytes} bytes")
            if any(_ESCAPED_BYTE.search(v or "") for v in record.values()):
                bad = _first_bad(list(record.values()))
                raise InputError(errors.UNDECODABLE, locator, f"row is not UTF-8 ({bad})")
            yield row_to_article({k: v for k, v in record.items() if v != ""}, locator, "csv")
        except InputError as exc:
            yield Rejected(exc.locator, exc.code, exc.reason)


def _first_bad(values: Iterable[str | None]) -> str:
    """Name the first byte that is not UTF-8, as the JSONL reader's S105 reason does."""
    for value in values:
        found = _ESCAPED_BYTE.search(value or "")
        if found:
            return f"byte 0x{ord(found.group()) - 0xDC00:02x}"
    return "no byte"
