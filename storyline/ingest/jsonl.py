"""JSONL reader: one article per line, ``text`` required (DESIGN.md fields)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.manifest import is_manifest_row, read_manifest_row
from storyline.ingest.rows import row_to_article
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterator

    from storyline.ingest.manifest import ReadFile


def read_jsonl(
    stream: IO[bytes], path: str, *, max_line_bytes: int, read_file: ReadFile | None = None
) -> Iterator[RawArticle | Rejected]:
    """Yield an article or a Rejected row for every non-blank line, reading as it goes.

    With ``read_file``, a row that names a ``file`` instead of a ``text`` (a manifest row) is
    read from that file, relative to the JSONL's folder, with the row's metadata on top.
    """
    seen_any = False
    for line_no, raw_line in enumerate(stream, start=1):
        locator = f"{path}:{line_no}"
        if not raw_line.strip():
            continue
        seen_any = True
        try:
            if len(raw_line) > max_line_bytes:
                raise InputError(errors.TOO_LARGE, locator, f"line over {max_line_bytes} bytes")
            record = _parse_line(raw_line, locator)
            if read_file is not None and is_manifest_row(record):
                yield from read_manifest_row(record, Path(path), locator, read_file)
            else:
                yield row_to_article(record, locator, "jsonl")
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
