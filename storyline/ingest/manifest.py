"""Manifests: a JSONL whose rows give a ``file`` (and its metadata) instead of the ``text``.

A folder of plain-text or HTML pages often comes with a ``metadata.jsonl`` beside it that says
when each page was published and by whom. Such a row is read from its file and takes the row's
fields on top; when a folder is walked, the files a manifest names are read through it only,
so a page is never stored twice (once with its metadata, once without).

A row names a file *inside the manifest's folder*: an absolute path, a ``..`` step or a symlink
that leads out is refused (S117) before anything is looked up, with the same answer whether the
outside path exists or not, so a manifest (or an upload) can neither read a server file nor
probe for one.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import zlib
from contextlib import ExitStack
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.files import bounded_lines, open_regular, printable
from storyline.ingest.published import date_order, read_published
from storyline.ingest.rows import ArticleRow
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    ReadFile = Callable[[Path], Iterator[RawArticle | Rejected]]

_KNOWN = ("id", "title", "source", "url", "published", "language", "file")
_GZIP_MAGIC = b"\x1f\x8b"
# A manifest row is a file name and a few metadata fields; a longer line is an article row, so
# looking for manifest rows never holds more than this (a memory bound, not fitted on data).
_MANIFEST_LINE_BYTES = 1 << 20


@dataclasses.dataclass(frozen=True, slots=True)
class Manifest:
    """Where a JSONL's ``file`` rows are resolved, and how the named file is read."""

    folder: Path
    read_file: ReadFile


def is_manifest_row(record: dict[str, Any]) -> bool:
    """Return True when a row points at a file instead of carrying its text."""
    return bool(record.get("file")) and not str(record.get("text") or "").strip()


def inside(folder: Path, name: object) -> Path | None:
    """Return the path ``name`` gives inside ``folder``, or None when it leads outside it."""
    if not isinstance(name, str) or not name or "\x00" in name:
        return None
    relative = PurePath(name)
    if relative.is_absolute() or relative.anchor or ".." in relative.parts:
        return None
    target = folder / relative
    try:
        # resolve() follows symlinks (also a symlinked parent folder) to where they really lead
        if not target.resolve().is_relative_to(folder.resolve()):
            return None
    except (OSError, RuntimeError):  # a symlink loop: it leads nowhere inside
        return None
    return target


def named_files(path: Path) -> set[Path]:
    """Return the files a manifest names, or nothing when ``path`` is not a manifest.

    Only the first row decides, so a large article JSONL costs one (bounded) line here. A row
    that reading would reject (not inside the folder, not valid) names nothing, so no file is
    left out of the walk without being read through its manifest.
    """
    files: set[Path] = set()
    try:
        with ExitStack() as stack:
            stream: IO[bytes] = stack.enter_context(open_regular(path))
            gzipped = stream.read(2) == _GZIP_MAGIC
            stream.seek(0)
            if gzipped:
                stream = stack.enter_context(gzip.GzipFile(fileobj=stream, mode="rb"))  # type: ignore[arg-type]
            for raw_line in bounded_lines(stream, _MANIFEST_LINE_BYTES):
                if raw_line is not None and not raw_line.strip():
                    continue
                target = _named(raw_line, path.parent)
                if target is None and not files and not _is_manifest_line(raw_line):
                    return set()
                if target is not None:
                    files.add(target.resolve())
    except (OSError, EOFError, zlib.error, InputError):
        return set()
    return files


def _record(raw_line: bytes | None) -> dict[str, Any] | None:
    if raw_line is None:
        return None
    try:
        record = json.loads(raw_line)
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # a lone surrogate is rejected
    except (ValueError, RecursionError, UnicodeError):
        return None
    return record if isinstance(record, dict) else None


def _is_manifest_line(raw_line: bytes | None) -> bool:
    record = _record(raw_line)
    return record is not None and is_manifest_row(record)


def _named(raw_line: bytes | None, folder: Path) -> Path | None:
    record = _record(raw_line)
    if record is None or not is_manifest_row(record):
        return None
    return inside(folder, record["file"])


def read_manifest_row(
    record: dict[str, Any], manifest: Manifest, locator: str
) -> Iterator[RawArticle | Rejected]:
    """Yield the article of the file a row names, with the row's metadata on top.

    Raises:
        InputError: S117 when the file is outside the manifest's folder, S100 when it is
            missing, S111 when a field is invalid.
    """
    shown = printable(str(record["file"]))
    target = inside(manifest.folder, record["file"])
    if target is None:
        raise InputError(
            errors.FILE_REFUSED, locator, f"file {shown!r} is not inside the manifest's folder"
        )
    if not target.exists() and not target.is_symlink():
        raise InputError(errors.MISSING_PATH, locator, f"file {shown!r} not found")
    try:
        row = ArticleRow.model_validate({**record, "text": ""})
        order = date_order(row.language)
        stated = read_published(row.published, order, row.language) if row.published else None
    except (ValueError, OverflowError) as exc:
        raise InputError(errors.INVALID_FIELD, locator, f"invalid field ({exc})") from exc
    extra = {k: v for k, v in record.items() if k not in _KNOWN}
    # "12/11/10" states no sure date: the file's own date (if any) stays, with the note
    published = stated.value if stated else None
    note = stated.meta() if stated else {}
    for article in manifest.read_file(target):
        if isinstance(article, Rejected):
            yield article  # the file itself is bad: its own reason, at its own path
            continue
        yield dataclasses.replace(
            article,
            id=row.id or article.id,
            title=row.title or article.title,
            source=row.source or article.source,
            url=row.url or article.url,
            published=published or article.published,
            published_source="metadata" if published else article.published_source,
            language=row.language or article.language,
            meta={
                **article.meta,
                **extra,
                **note,
                "manifest": locator,
            },
        )
