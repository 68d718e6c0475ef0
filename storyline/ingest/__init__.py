"""Readers: turn paths into ``RawArticle`` records, or ``Rejected`` rows for bad input.

One module per format (text, html, jsonl, csv, warc); this module finds the files, picks the
reader by extension or by sniffing the content, and applies the size limit.
"""

from __future__ import annotations

import gzip
import os
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.csv import read_csv
from storyline.ingest.files import (
    classify,
    locator_of,
    open_regular,
    read_whole,
    rejected,
    walk,
)
from storyline.ingest.html import read_html
from storyline.ingest.jsonl import read_jsonl
from storyline.ingest.manifest import Manifest, named_files
from storyline.ingest.text import read_text
from storyline.ingest.warc import read_warc
from storyline.ingest.wide import utf8_stream
from storyline.models import FORMATS, FormatChoice, InputFormat, RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from storyline.ingest.html_vote import VotePolicy


_EXTENSIONS: dict[str, InputFormat] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",  # Markdown is plain text with light markup: read as it is
    ".markdown": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".warc": "warc",
    ".arc": "warc",
}
_STREAMED: set[InputFormat] = {"jsonl", "csv", "warc"}
_GZIP_MAGIC = b"\x1f\x8b"
# The default store lives in the working directory, often the folder being ingested; its run
# lock (store/lock.py) lies beside it too: read as an input, `ingest .` always ended in exit 3.
_STORE_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".db.lock")


def format_of(path: Path) -> InputFormat | None:
    """Return the format a file's name says, looking through a trailing ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


def sniff_format(head: bytes) -> InputFormat | None:
    """Return the format the first bytes of a file suggest, or None."""
    if head.startswith(_GZIP_MAGIC):
        try:
            head = gzip.decompress(head) if len(head) < 64 else _gunzip_head(head)
        except (OSError, EOFError):
            return None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"WARC/"):
        return "warc"
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in lowered:
        return "html"
    if stripped.startswith(b"{"):
        return "jsonl"
    return None


def _gunzip_head(data: bytes) -> bytes:
    return zlib.decompressobj(wbits=31).decompress(data, 4096)


def iter_files(paths: Iterable[Path]) -> Iterator[Path | Rejected]:
    """Yield the files below ``paths`` in a stable order; anything else becomes a Rejected row.

    In a folder every entry counts: files of a known format (or with no extension) are
    yielded, others (``.pdf``, FIFOs, dangling symlinks) are Rejected rows. Skipped by rule:
    hidden files, the folder's README (it documents the data, it is not an article), a
    SQLite store and its journals (``storyline ingest .`` with ``storyline.db`` in the
    folder), and the files that a manifest JSONL in the folder names (read through it).
    """
    for path in paths:
        if path.is_dir():
            children = list(walk(path))
            via_manifest: set[Path] = set()
            for child in children:
                if isinstance(child, Path) and format_of(child) == "jsonl":
                    via_manifest |= named_files(child)
            for child in children:
                if isinstance(child, Rejected):
                    yield child
                elif _skipped(child) or child.resolve() in via_manifest:
                    continue
                elif format_of(child) is None and child.suffix:
                    yield rejected(
                        locator_of(child),
                        errors.UNKNOWN_FORMAT,
                        f"unsupported format {child.suffix!r}",
                    )
                else:
                    yield child
        elif path.exists() or path.is_symlink():
            yield classify(path)
        else:
            yield rejected(locator_of(path), errors.MISSING_PATH, "no such file or directory")


def _skipped(path: Path) -> bool:
    """Return True for a folder's README and for a SQLite store (not inputs, by rule)."""
    name = path.name.lower()
    return path.stem.lower() == "readme" or name.endswith(_STORE_SUFFIXES)


def read_paths(
    paths: Iterable[Path],
    *,
    fmt: FormatChoice = "auto",
    max_bytes: int = 50_000_000,
    vote_policy: VotePolicy | None = None,
) -> Iterator[RawArticle | Rejected]:
    """Yield every article (or Rejected row) found under ``paths``.

    Args:
        paths: files or folders.
        fmt: force one format, or ``auto`` to go by extension and content.
        max_bytes: files (or, for JSONL/CSV/WARC, single records) above this are rejected.
        vote_policy: the HTML paragraph vote's settings (None: packaged defaults).
    """
    for item in iter_files(paths):
        if isinstance(item, Rejected):
            yield item
            continue
        yield from read_file(item, fmt=fmt, max_bytes=max_bytes, vote_policy=vote_policy)


def read_file(
    path: Path,
    *,
    fmt: FormatChoice = "auto",
    max_bytes: int = 50_000_000,
    manifests: bool = True,
    vote_policy: VotePolicy | None = None,
) -> Iterator[RawArticle | Rejected]:
    """Yield the articles of one file, or one Rejected row saying why there are none.

    Args:
        path: a regular file (anything else is one S116 row, never opened for reading).
        fmt: force one format, or ``auto`` to go by extension and content.
        max_bytes: the size limit on the decompressed file, or on one JSONL/CSV/WARC record.
        manifests: read the ``file`` rows of a JSONL manifest; False for untrusted uploads,
            whose ``file`` rows become S117 rows.
        vote_policy: the HTML paragraph vote's settings (``VotePolicy.from_settings`` of the
            resolved ``[ingest]``; None: packaged defaults), for HTML files and WARC records.
    """
    locator = locator_of(path)
    try:
        with ExitStack() as stack:
            raw = stack.enter_context(open_regular(path))
            head = raw.read(4096)
            raw.seek(0)
            chosen = _choose_format(path, head, fmt)
            stream: IO[bytes] = raw
            if head.startswith(_GZIP_MAGIC) and chosen != "warc":
                stream = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))  # type: ignore[arg-type]
            elif os.fstat(raw.fileno()).st_size > max_bytes and chosen not in _STREAMED:
                raise InputError(errors.TOO_LARGE, locator, f"file over {max_bytes} bytes")
            if chosen in _STREAMED:
                folder = path.parent if manifests else None
                yield from _read_stream(
                    chosen, stream, locator, max_bytes, folder, vote_policy=vote_policy
                )
                return
            data = read_whole(stream, locator, max_bytes)
            if chosen == "html":
                yield read_html(data, locator, vote_policy=vote_policy)
            else:
                yield read_text(data, locator)
    except InputError as exc:
        yield rejected(exc.locator, exc.code, exc.reason)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield rejected(locator, errors.UNDECODABLE, f"corrupt gzip data ({exc})")
    except OSError as exc:
        yield rejected(locator, errors.MISSING_PATH, f"cannot read the file ({exc.strerror})")


def _choose_format(path: Path, head: bytes, fmt: FormatChoice) -> InputFormat:
    if fmt != "auto":
        return fmt
    by_name = format_of(path)
    if by_name is not None:
        return by_name
    sniffed = sniff_format(head)
    if sniffed is not None:
        return sniffed
    if not path.suffix:
        return "txt"
    raise InputError(errors.UNKNOWN_FORMAT, locator_of(path), f"unknown format {path.suffix!r}")


def _read_stream(
    fmt: InputFormat,
    stream: IO[bytes],
    locator: str,
    max_bytes: int,
    folder: Path | None,
    *,
    vote_policy: VotePolicy | None,
) -> Iterator[RawArticle | Rejected]:
    if fmt != "warc":
        stream = utf8_stream(stream, locator)
    if fmt == "jsonl":

        def read_named(path: Path) -> Iterator[RawArticle | Rejected]:
            return read_file(path, max_bytes=max_bytes, vote_policy=vote_policy)

        manifest = None if folder is None else Manifest(folder, read_named)
        return read_jsonl(stream, locator, max_line_bytes=max_bytes, manifest=manifest)
    if fmt == "csv":
        return read_csv(stream, locator, max_line_bytes=max_bytes)
    return read_warc(stream, locator, max_record_bytes=max_bytes, vote_policy=vote_policy)


__all__ = [
    "FORMATS",
    "FormatChoice",
    "format_of",
    "iter_files",
    "locator_of",
    "read_file",
    "read_paths",
    "sniff_format",
]
