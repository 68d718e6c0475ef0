"""Bulk fetching in a child process, so HTTP and WARC work never waits on the reader's GIL.

Reading a page (trafilatura) is pure Python and holds the GIL; fetch threads in the same
process then slow it down by contending for the GIL at every lxml call. A forked child runs
the fetch threads instead and streams complete responses back through a pipe.
"""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING, Any

from storyline import errors
from storyline.errors import InputError
from storyline.fetch.archive import Archive

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from multiprocessing.connection import Connection
    from pathlib import Path

    from storyline.config import FetchSettings
    from storyline.fetch.client import Fetched, FetchRequest

_JOIN_SECONDS = 5.0


def can_fork() -> bool:
    """Return True where a child process can start as a copy of this one (not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _child(
    settings: FetchSettings, folder: Path | None, requests: Sequence[FetchRequest], conn: Connection
) -> None:
    """Fetch every request with a thread pool; send (index, kind, payload) for each."""
    from storyline.fetch.client import Fetcher  # noqa: PLC0415 - a cycle at import time

    try:
        archive = Archive(folder) if folder is not None else None
        with Fetcher(settings, archive=archive) as fetcher:
            for index, (_, result) in enumerate(fetcher.fetch_many(requests, in_process=True)):
                if isinstance(result, InputError):
                    conn.send((index, "error", (result.code, result.reason)))
                else:
                    conn.send((index, "ok", result))
    finally:
        conn.close()


def fetch_in_child(
    settings: FetchSettings, folder: Path | None, requests: Sequence[FetchRequest]
) -> Iterator[tuple[FetchRequest, Fetched | InputError]]:
    """Yield each request with its response or error, in order, fetched by a forked child.

    A child that dies leaves the requests it had not answered as S112 rejections.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(settings, folder, requests, sender), daemon=True)
    process.start()
    sender.close()  # the child holds the only writing end: EOF when it is gone
    done = 0
    try:
        while done < len(requests):
            try:
                index, kind, payload = receiver.recv()
            except EOFError:
                break
            request = requests[index]
            yield request, _result(request, kind, payload)
            done += 1
        for request in requests[done:]:
            yield request, InputError(errors.FETCH_FAILED, request.url, "the fetch worker stopped")
    finally:
        receiver.close()
        process.join(_JOIN_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


def _result(request: FetchRequest, kind: str, payload: Any) -> Fetched | InputError:  # noqa: ANN401 - unpickled
    if kind == "ok":
        return payload  # type: ignore[no-any-return]
    code, reason = payload
    return InputError(code, request.url, reason)
