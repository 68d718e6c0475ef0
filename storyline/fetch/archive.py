"""WARC archive of every fetched response, so the source of every article stays retrievable."""

from __future__ import annotations

import io
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from collections.abc import Mapping

# httpx hands over the decoded body: headers that describe the wire encoding would make a
# WARC reader decode it a second time.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def default_archive_dir(db: str, configured: str) -> Path:
    """Return where WARC files go: the configured folder, else ``<db>.warc`` beside the db."""
    if configured:
        return Path(configured)
    if db in {"", ":memory:"} or "://" in db:  # in memory, or a database server
        return Path("storyline.warc")
    return Path(f"{db}.warc")


class Archive:
    """Appends request/response record pairs to one gzipped WARC file per archive (per run).

    Safe to share between fetching threads; the file is created on the first write.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self._handle: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._lock = threading.Lock()

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            self.path = self.folder / f"storyline-{stamp}-{os.getpid()}.warc.gz"
            self._handle = self.path.open("ab")
            self._writer = WARCWriter(self._handle, gzip=True)
        return self._writer

    def write(
        self,
        url: str,
        *,
        status: int,
        reason: str,
        headers: Mapping[str, str],
        body: bytes,
        request_headers: Mapping[str, str],
    ) -> str:
        """Archive one exchange; return its locator ``file@offset`` (of the response record)."""
        kept = [(k, v) for k, v in headers.items() if k.lower() not in _WIRE_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")
        target = url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        request = StatusAndHeaders(
            f"GET {path} HTTP/1.1", list(request_headers.items()), is_http_request=True
        )
        with self._lock:
            writer = self._open()
            assert self._handle is not None
            response_record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),  # known: warcio need not spool the body to a temp file
                http_headers=http_headers,
            )
            request_record = writer.create_warc_record(url, "request", http_headers=request)
            offset = self._handle.tell()
            writer.write_record(response_record)
            writer.write_record(request_record)
            return f"{self.path}@{offset}"

    def close(self) -> None:
        """Flush and close the WARC file."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
                self._writer = None
