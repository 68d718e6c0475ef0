"""WARC reader: every HTML response record becomes an article (warcio)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.files import printable
from storyline.ingest.html import read_html
from storyline.models import RawArticle, Rejected

if TYPE_CHECKING:
    from collections.abc import Iterator

    from warcio.recordloader import ArcWarcRecord

    from storyline.ingest.html_vote import VotePolicy

# warcio parses HTTP headers only for http(s) target URIs and fails on a record without one,
# so the records are loaded unparsed and their HTTP headers are parsed here.
_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"])
_DRAIN_CHUNK = 64 * 1024


def read_warc(
    stream: IO[bytes],
    path: str,
    *,
    max_record_bytes: int,
    vote_policy: VotePolicy | None = None,
) -> Iterator[RawArticle | Rejected]:
    """Yield an article or a Rejected row for every HTML response record of a (gzipped) WARC.

    A response without a ``WARC-Target-URI`` is read all the same (it has no URL).
    """
    found = False
    locator = path  # the record being read, once one is: a cut file names where it ends
    try:
        records = ArchiveIterator(stream, no_record_parse=True)
        for record in records:
            locator = f"{path}@{records.offset}"
            if record.rec_type != "response":
                continue
            try:
                if not _html_response(record):
                    continue
            except (StatusAndHeadersParserException, ValueError) as exc:
                found = True
                locator = f"{path}@{records.get_record_offset()}"
                yield Rejected(locator, errors.MALFORMED_WARC, f"bad HTTP headers ({exc})")
                continue
            found = True
            url = record.rec_headers.get_header("WARC-Target-URI")
            payload = record.content_stream().read(max_record_bytes + 1)
            missing = 0 if len(payload) > max_record_bytes else _missing_bytes(record)
            # the offset is known only once the record has been read
            locator = f"{path}@{records.get_record_offset()}"
            try:
                if len(payload) > max_record_bytes:
                    raise InputError(
                        errors.TOO_LARGE, locator, f"record over {max_record_bytes} bytes"
                    )
                if missing:
                    # a download or copy cut short: its page was stored cut, in silence
                    raise InputError(
                        errors.MALFORMED_WARC,
                        locator,
                        f"truncated record: the file ends {missing} bytes before its"
                        " Content-Length",
                    )
                yield read_html(
                    payload,
                    locator,
                    url=printable(url) if url else None,
                    vote_policy=vote_policy,
                )
            except InputError as exc:
                yield Rejected(exc.locator, exc.code, exc.reason)
    except EOFError:
        # warcio raises a bare EOFError when the file ends inside a record's headers
        yield Rejected(locator, errors.MALFORMED_WARC, "truncated WARC: the file ends in a record")
        return
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__  # some carry no message: "()" said nothing
        yield Rejected(locator, errors.MALFORMED_WARC, f"malformed WARC ({reason})")
        return
    if not found:
        yield Rejected(path, errors.NO_ARTICLE_TEXT, "no HTML response records in the WARC")


def _missing_bytes(record: ArcWarcRecord) -> int:
    """Read the rest of a record's block; return the bytes it lacks (0 for a whole record)."""
    raw = record.raw_stream
    if not isinstance(raw, LimitReader):
        return 0  # no Content-Length to hold the record to
    while raw.read(_DRAIN_CHUNK):
        pass  # a decoded payload (chunked, gzip) may stop before its block's last bytes
    missing: int = raw.limit  # what its Content-Length promised past the end of the file
    return max(0, missing)


def _html_response(record: ArcWarcRecord) -> bool:
    """Parse a response record's HTTP headers; return True when it carries HTML."""
    block_type = (record.rec_headers.get_header("Content-Type") or "").lower()
    if block_type and "application/http" not in block_type:
        return False
    record.http_headers = _HTTP.parse(record.raw_stream)
    content_type = record.http_headers.get_header("Content-Type") or ""
    return "html" in content_type.lower()
