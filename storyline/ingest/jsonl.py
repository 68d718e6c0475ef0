"""JSONL reader: one article per line, ``text`` required (DESIGN.md fields)."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.rows import row_to_article
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterator


def read_jsonl(
    stream: IO[bytes], path: str, *, max_line_bytes: int
) -> Iterator[RawArticle | Rejected]:
    """Yield an article or a Rejected row for every non-blank line, reading as it goes."""
    seen_any = False
    for line_no, raw_line in enumerate(stream, start=1):
        locator = f"{path}:{line_no}"
        if not raw_line.strip():
            continue
        seen_any = True
        try:
            if len(raw_line) > max_line_bytes:
                raise InputError(errors.TOO_LARGE, locator, f"line over {max_line_bytes} bytes")
            yield row_to_article(_parse_line(raw_line, locator), locator, "jsonl")
        except InputError as exc:
            yield Rejected(exc.locator, exc.code, exc.reason)
    if not seen_any:
        yield Rejected(path, errors.EMPTY_INPUT, "the input is empty")


def _parse_line(raw_line: bytes, locator: str) -> dict[str, object]:
    try:
        record = json.loads(raw_line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(errors.UNDECODABLE, locator, f"not UTF-8 ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(errors.MALFORMED_JSONL, locator, f"malformed JSONL ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise InputError(errors.MALFORMED_JSONL, locator, "malformed JSONL (not an object)")
    return record
