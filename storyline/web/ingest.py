"""``POST /api/ingest``: receive size-limited uploads and run the pipeline's ingest on them.

Uploads are written under fresh names in a temporary folder (a client's file name never
becomes a path; only an allowed suffix is kept), ingested, and the folder is removed. A
manifest row (``{"file": ...}``) in an upload is never resolved: it is a Rejected row (S117), so
an upload cannot make the server read, store or probe for one of its own files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi import Request

    from storyline.config import IngestSettings, TextSettings
    from storyline.models import IngestSummary, RawArticle, Rejected
    from storyline.pipeline import StoredRejected
    from storyline.web.app import WebState

ALLOWED_SUFFIXES = {".jsonl", ".txt", ".html", ".htm", ".csv"}
# Media types a raw (not multipart) body is read as JSONL under: the JSON Lines names, JSON,
# text, bytes, and the form type `curl --data-binary` sends by default. Any other (XML, HTML,
# CSV) was read as JSONL too, each of its lines an S102 row stored in the store's rejected log.
JSONL_BODY_TYPES = frozenset(
    {
        "",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/jsonlines",
        "application/json-lines",
        "application/x-jsonlines",
        "text/jsonl",
        "text/x-ndjson",
        "application/json",
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
    }
)
MAX_FILES = 50
_READ_CHUNK = 64 * 1024


def _check_origin(request: Request) -> None:
    """Refuse cross-site posts: a page elsewhere must not be able to write the store."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "cross-origin ingest refused")


async def _read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"upload over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"upload over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def receive(request: Request, limit: int) -> list[tuple[str, str, bytes]]:
    """Return the uploaded files as (display name, suffix, bytes); a raw body is JSONL."""
    content_type = request.headers.get("content-type", "")
    # media types are case-insensitive (RFC 9110): "Multipart/Form-Data" is a multipart upload
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "multipart/form-data":
        if media_type not in JSONL_BODY_TYPES:
            raise HTTPException(
                415,
                f"cannot ingest a {media_type[:100]!r} body: send JSONL "
                "(application/x-ndjson) or files as multipart/form-data",
            )
        return [("upload.jsonl", ".jsonl", await _read_body(request, limit))]
    if "content-length" not in request.headers:
        # the form parser spools files before we see their size: only a declared length,
        # already checked against the limit, bounds what reaches the disk
        raise HTTPException(411, "a multipart upload needs a Content-Length")
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES, max_part_size=limit) as form:
        files: list[tuple[str, str, bytes]] = []
        total = 0
        for _, value in form.multi_items():
            if not isinstance(value, UploadFile):
                continue
            name = PurePosixPath((value.filename or "upload").replace("\\", "/")).name
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in ALLOWED_SUFFIXES:
                allowed = ", ".join(sorted(ALLOWED_SUFFIXES))
                raise HTTPException(415, f"cannot ingest {name!r}: use one of {allowed}")
            data = await _read_upload(value, limit - total)
            total += len(data)
            files.append((name or "upload", suffix, data))
    if not files:
        raise HTTPException(400, "no files in the upload")
    return files


def ingest_files(state: WebState, files: list[tuple[str, str, bytes]]) -> dict[str, Any]:
    """Write the files to a temporary folder, ingest them, and summarise what happened."""
    from storyline.config import load_settings  # noqa: PLC0415 - ingest is rarely enabled
    from storyline.errors import StoreBusyError  # noqa: PLC0415
    from storyline.pipeline import ingest_items  # noqa: PLC0415
    from storyline.store.lock import run_lock  # noqa: PLC0415

    # the server's settings (`storyline serve --config`): uploads were read under the defaults
    settings = state.settings or load_settings()
    with tempfile.TemporaryDirectory(prefix="storyline-upload-") as folder:
        names: dict[str, str] = {}
        paths = []
        for number, (name, suffix, data) in enumerate(files):
            path = Path(folder) / f"upload-{number}{suffix}"
            path.write_bytes(data)
            names[str(path)] = name
            paths.append(path)
        # the run lock, as `storyline ingest` takes it: an upload must not interleave its writes
        # with a `storyline run` or a watch cycle on the same store (409 when one holds it)
        try:
            with state.lock, run_lock(state.store, wait=settings.run.lock_wait):
                items = _read_uploads(state, paths, settings.ingest, settings.text)
                summary: IngestSummary = ingest_items(state.store, items, settings=settings)
        except StoreBusyError as exc:
            raise HTTPException(409, str(exc)) from exc

        def shown(locator: str) -> str:
            for path, name in names.items():
                locator = locator.replace(path, name)
            return locator

        return {
            "read": summary.read,
            "stored": summary.stored,
            "unchanged": summary.unchanged,
            "rejected": [
                {"locator": shown(r.locator), "code": r.code, "reason": shown(r.reason)}
                for r in summary.rejected
            ],
        }


def _read_uploads(
    state: WebState, paths: list[Path], ingest: IngestSettings, text: TextSettings
) -> Iterator[RawArticle | Rejected | StoredRejected]:
    """Read the uploaded files as ``pipeline.ingest`` reads paths, but with manifests off."""
    from storyline.ingest import read_file  # noqa: PLC0415 - ingest is rarely enabled
    from storyline.ingest.html_vote import VotePolicy  # noqa: PLC0415
    from storyline.pipeline import StoredRejected  # noqa: PLC0415

    for path in paths:
        try:
            yield from read_file(
                path,
                max_bytes=ingest.max_bytes,
                manifests=False,
                vote_policy=VotePolicy.from_settings(ingest, text),
            )
        except Exception as exc:  # noqa: BLE001 - the per-item boundary, as in pipeline.ingest
            yield StoredRejected(state.store.record_internal_error(str(path), exc))


async def receive_and_ingest(request: Request, state: WebState) -> dict[str, Any]:
    """Check the origin, read the upload within the size limit, and ingest it."""
    _check_origin(request)
    files = await receive(request, state.max_body_bytes)
    return await run_in_threadpool(ingest_files, state, files)
