"""WARC reader: every HTML response record becomes an article (warcio)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.html import read_html
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterator


def read_warc(
    stream: IO[bytes], path: str, *, max_record_bytes: int
) -> Iterator[RawArticle | Rejected]:
    """Yield an article or a Rejected row for every HTML response record of a (gzipped) WARC."""
    found = False
    try:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if "html" not in content_type.lower():
                continue
            found = True
            url = record.rec_headers.get_header("WARC-Target-URI")
            payload = record.content_stream().read(max_record_bytes + 1)
            # the offset is known only once the record has been read
            locator = f"{path}@{records.get_record_offset()}"
            try:
                if len(payload) > max_record_bytes:
                    raise InputError(
                        errors.TOO_LARGE, locator, f"record over {max_record_bytes} bytes"
                    )
                yield read_html(payload, locator, url=url)
            except InputError as exc:
                yield Rejected(exc.locator, exc.code, exc.reason)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        yield Rejected(path, errors.MALFORMED_WARC, f"malformed WARC ({exc})")
        return
    if not found:
        yield Rejected(path, errors.NO_ARTICLE_TEXT, "no HTML response records in the WARC")
