"""JSONL reader: one article per line, ``text`` required (DESIGN.md fields)."""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import IO, TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.files import bounded_lines
from storyline.ingest.manifest import is_manifest_row, read_manifest_row
from storyline.ingest.rows import row_to_article
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterator

    from storyline.ingest.manifest import Manifest

# Article rows are a flat object with a few nested meta values; anything deeper is hostile.
# The bound keeps every later json.dumps (the store's meta column) far from Python's recursion
# limit (1000); it is a safety bound, not fitted on any data.
_MAX_DEPTH = 100
# A JSON escape for a UTF-16 surrogate: only lines holding one need the lone-surrogate check.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _NotJsonNumberError(Exception):
    """A number JSON cannot hold: NaN, Infinity (Python's extensions) or one that overflows."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: valid JSON text, but no number a reader can hold
        raise _NotJsonNumberError(text)
    return value


def _no_constant(text: str) -> float:
    raise _NotJsonNumberError(text)


class _DuplicateKeyError(Exception):
    """An object names one key twice: json.loads kept the last value, the first was lost."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    record = dict(pairs)
    if len(record) < len(pairs):  # the rare case: find the key to name it
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return record


def read_jsonl(
    stream: IO[bytes], path: str, *, max_line_bytes: int, manifest: Manifest | None = None
) -> Iterator[RawArticle | Rejected]:
    """Yield an article or a Rejected row for every non-blank line, reading as it goes.

    A line is read with a cap of ``max_line_bytes``: a longer one is skipped (S106) without
    being held whole. With ``manifest``, a row that names a ``file`` instead of a ``text`` is
    read from that file, inside the manifest's folder, with the row's metadata on top; without
    it (an upload) such a row is refused (S117).
    """
    seen_any = False
    lines = _without_bom(bounded_lines(stream, max_line_bytes))
    for line_no, raw_line in enumerate(lines, start=1):
        locator = f"{path}:{line_no}"
        if raw_line is not None and not raw_line.strip():
            continue
        seen_any = True
        try:
            if raw_line is None:
                raise InputError(errors.TOO_LARGE, locator, f"line over {max_line_bytes} bytes")
            record = _parse_line(raw_line, locator)
            if not is_manifest_row(record):
                yield row_to_article(record, locator, "jsonl")
            elif manifest is None:
                raise InputError(errors.FILE_REFUSED, locator, "'file' rows are not read here")
            else:
                yield from read_manifest_row(record, manifest, locator)
        except InputError as exc:
            yield Rejected(exc.locator, exc.code, exc.reason)
    if not seen_any:
        yield Rejected(path, errors.EMPTY_INPUT, "the input is empty")


def _without_bom(lines: Iterator[bytes | None]) -> Iterator[bytes | None]:
    """Yield ``lines``, the first without a UTF-8 byte-order mark (not JSON, but Notepad's)."""
    for index, line in enumerate(lines):
        yield line.removeprefix(codecs.BOM_UTF8) if index == 0 and line is not None else line


def _parse_line(raw_line: bytes, locator: str) -> dict[str, object]:
    try:
        # {"text": "A", "text": "B"} was read as "B", "A" lost without a word
        # NaN and Infinity were read (json.loads accepts them) and written back to the JSONL
        # export as such, which no strict JSON reader parses; 1e999 became Infinity, and the
        # ids 1e999 and 2e999 were one id, "inf"
        record = json.loads(
            raw_line.decode("utf-8"),
            object_pairs_hook=_unique_keys,
            parse_float=_finite,
            parse_constant=_no_constant,
        )
    except _NotJsonNumberError as exc:
        reason = f"malformed JSONL (number {exc.args[0][:40]!r} out of range or not JSON)"
        raise InputError(errors.MALFORMED_JSONL, locator, reason) from exc
    except _DuplicateKeyError as exc:
        reason = f"malformed JSONL (key {exc.args[0]!r} appears twice in an object)"
        raise InputError(errors.MALFORMED_JSONL, locator, reason) from exc
    except UnicodeDecodeError as exc:
        raise InputError(errors.UNDECODABLE, locator, f"not UTF-8 ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(errors.MALFORMED_JSONL, locator, f"malformed JSONL ({exc.msg})") from exc
    except RecursionError as exc:
        raise InputError(
            errors.MALFORMED_JSONL, locator, "malformed JSONL (nested too deeply)"
        ) from exc
    except ValueError as exc:
        # json.JSONDecodeError is a ValueError too (caught above); this is an integer of more
        # than 4300 digits, which Python refuses to convert (a DoS guard since 3.11)
        raise InputError(
            errors.MALFORMED_JSONL, locator, "malformed JSONL (number too long)"
        ) from exc
    if not isinstance(record, dict):
        raise InputError(errors.MALFORMED_JSONL, locator, "malformed JSONL (not an object)")
    if _deeper_than(record, _MAX_DEPTH):
        raise InputError(
            errors.MALFORMED_JSONL, locator, f"malformed JSONL (nested over {_MAX_DEPTH} deep)"
        )
    if _SURROGATE_ESCAPE.search(raw_line) and has_lone_surrogate(record):
        raise InputError(errors.UNDECODABLE, locator, "a string holds a lone UTF-16 surrogate")
    return record


def _deeper_than(value: object, limit: int) -> bool:
    """Return True when ``value`` nests more than ``limit`` levels (without recursing)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def has_lone_surrogate(record: object) -> bool:
    """Return True when a key or value cannot be encoded as UTF-8 (a store would refuse it).

    ``json.loads`` accepts an escaped lone surrogate (backslash-u d800): every JSON reader asks.
    """
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
