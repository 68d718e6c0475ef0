"""Readers: turn paths into ``RawArticle`` records, or ``Rejected`` rows for bad input.

One module per format (text, html, jsonl, csv, warc); this module finds the files, picks the
reader by extension or by sniffing the content, and applies the size limit.
"""

from __future__ import annotations

import gzip
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING, Literal

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.csv import read_csv
from storyline.ingest.html import read_html
from storyline.ingest.jsonl import read_jsonl
from storyline.ingest.manifest import named_files
from storyline.ingest.text import read_text
from storyline.ingest.warc import read_warc
from storyline.models import InputFormat, RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

FormatChoice = Literal["auto", "txt", "html", "jsonl", "csv", "warc"]
FORMATS: tuple[FormatChoice, ...] = ("auto", "txt", "html", "jsonl", "csv", "warc")

_EXTENSIONS: dict[str, InputFormat] = {
    ".txt": "txt",
    ".text": "txt",
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
    import zlib  # noqa: PLC0415 - only needed for sniffing gzip heads

    return zlib.decompressobj(wbits=31).decompress(data, 4096)


def iter_files(paths: Iterable[Path]) -> Iterator[Path | Rejected]:
    """Yield the files below ``paths`` in a stable order; missing paths become Rejected rows.

    In folders only files with a known extension (or none) are read; hidden files are skipped,
    and so are files that a manifest JSONL in the folder names (they are read through it).
    """
    for path in paths:
        if path.is_dir():
            children = [
                child
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and (format_of(child) is not None or not child.suffix)
            ]
            via_manifest: set[Path] = set()
            for child in children:
                if format_of(child) == "jsonl":
                    via_manifest |= named_files(child)
            for child in children:
                if child.resolve() not in via_manifest:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield Rejected(str(path), errors.MISSING_PATH, "no such file or directory")


def read_paths(
    paths: Iterable[Path], *, fmt: FormatChoice = "auto", max_bytes: int = 50_000_000
) -> Iterator[RawArticle | Rejected]:
    """Yield every article (or Rejected row) found under ``paths``.

    Args:
        paths: files or folders.
        fmt: force one format, or ``auto`` to go by extension and content.
        max_bytes: files (or, for JSONL/CSV/WARC, single records) above this are rejected.
    """
    for item in iter_files(paths):
        if isinstance(item, Rejected):
            yield item
            continue
        yield from read_file(item, fmt=fmt, max_bytes=max_bytes)


def read_file(
    path: Path, *, fmt: FormatChoice = "auto", max_bytes: int = 50_000_000
) -> Iterator[RawArticle | Rejected]:
    """Yield the articles of one file, or one Rejected row saying why there are none."""
    locator = str(path)
    try:
        with ExitStack() as stack:
            raw = stack.enter_context(path.open("rb"))
            head = raw.read(4096)
            raw.seek(0)
            chosen = _choose_format(path, head, fmt)
            if chosen in _STREAMED:
                stream: IO[bytes] = raw
                if head.startswith(_GZIP_MAGIC) and chosen != "warc":
                    stream = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))  # type: ignore[arg-type]
                yield from _read_stream(chosen, stream, locator, max_bytes)
                return
            if path.stat().st_size > max_bytes:
                raise InputError(errors.TOO_LARGE, locator, f"file over {max_bytes} bytes")
            data = raw.read()
            yield read_html(data, locator) if chosen == "html" else read_text(data, locator)
    except InputError as exc:
        yield Rejected(exc.locator, exc.code, exc.reason)
    except (OSError, EOFError) as exc:
        yield Rejected(locator, errors.MISSING_PATH, f"cannot read the file ({exc})")


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
    raise InputError(errors.UNKNOWN_FORMAT, str(path), f"unknown format '{path.suffix}'")


def _read_stream(
    fmt: InputFormat, stream: IO[bytes], locator: str, max_bytes: int
) -> Iterator[RawArticle | Rejected]:
    if fmt == "jsonl":

        def read_named(path: Path) -> Iterator[RawArticle | Rejected]:
            return read_file(path, max_bytes=max_bytes)

        return read_jsonl(stream, locator, max_line_bytes=max_bytes, read_file=read_named)
    if fmt == "csv":
        return read_csv(stream, locator, max_line_bytes=max_bytes)
    return read_warc(stream, locator, max_record_bytes=max_bytes)


__all__ = [
    "FORMATS",
    "FormatChoice",
    "format_of",
    "iter_files",
    "read_file",
    "read_paths",
    "sniff_format",
]
