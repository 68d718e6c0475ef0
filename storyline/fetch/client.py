"""HTTP fetching with httpx: timeouts, retries with backoff, bounded redirects, a size limit.

Every hop is checked by the safety rules and robots.txt, spaced out per host, and every
complete response is archived as WARC before anything reads it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from storyline import errors
from storyline.errors import InputError
from storyline.fetch.politeness import Politeness, host_key
from storyline.fetch.safety import RefusedAddress, check_url, guarded_transport

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable, Iterator, Sequence

    from storyline.config import FetchSettings
    from storyline.fetch.archive import Archive

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_NOT_MODIFIED = 304
_MAX_RETRY_AFTER = 30.0  # a server asking for a longer pause is treated as failing
_ROBOTS_MAX_BYTES = 500_000
# below this many requests forking a fetch process costs more than the threads' GIL contention
_CHILD_MIN_REQUESTS = 64
# A response must be complete within this many times the timeout (connect, headers, body):
# the timeout bounds each read, and a server sending a byte a second never trips it.
_DEADLINE_TIMEOUTS = 4


class ResponseDeadline(httpx.TimeoutException):
    """The whole response (connect, headers and body) took longer than its deadline."""


_deadline = threading.local()  # each fetch thread's deadline (time.monotonic), if any


def _within(timeout: float | None, error: type[Exception]) -> float | None:
    """Return ``timeout`` cut to what is left of this thread's deadline; raise when none is."""
    at: float | None = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        _deadline.cut = True
        raise error("the response deadline has passed")
    _deadline.cut = timeout is None or left < timeout
    return left if _deadline.cut else timeout


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetching thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = _within(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, wait))

    def get_extra_info(self, info: str) -> Any:  # noqa: ANN401 - whatever the stream says
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Wraps a network backend so that connecting, too, ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,  # noqa: ANN401 - httpcore's private SOCKET_OPTION type
    ) -> httpcore.NetworkStream:
        wait = _within(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Any = None,  # noqa: ANN401
    ) -> httpcore.NetworkStream:
        wait = _within(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, wait, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One complete HTTP response (after redirects) and where its copy is archived."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    fetched_at: str  # ISO timestamp, UTC
    warc: str | None = None  # "file@offset" of the archived response record
    redirects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def not_modified(self) -> bool:
        """Return True for a 304 answer to a conditional request."""
        return self.status == _NOT_MODIFIED

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lower-cased ("" when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def etag(self) -> str | None:
        """Return the ETag validator, if the server sent one."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """Return the Last-Modified validator, if the server sent one."""
        return self.headers.get("last-modified")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Fetcher:
    """Fetches URLs under the [fetch] settings; share one per run (it keeps host state)."""

    def __init__(self, settings: FetchSettings, *, archive: Archive | None = None) -> None:
        self.settings = settings
        self.archive = archive
        self.politeness = Politeness(
            enabled=settings.politeness, delay=settings.delay, user_agent=settings.user_agent
        )
        connections = max(settings.concurrency, 1)
        transport = guarded_transport(
            allow_private=settings.allow_private,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        # the pool is new and has no connection yet: every one it opens goes through this
        pool = transport._pool  # noqa: SLF001 - httpx has no parameter for the backend
        pool._network_backend = _DeadlineBackend(pool._network_backend)  # noqa: SLF001
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout),
            transport=transport,
            headers={"User-Agent": settings.user_agent},
            trust_env=False,  # a proxy from the environment would bypass the address checks
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections and the archive."""
        self._client.close()
        if self.archive is not None:
            self.archive.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        """Fetch one URL, following redirects; send validators for a conditional request.

        Returns:
            The final response: 2xx, or 304 when the validators still hold.

        Raises:
            InputError: S113 refused (scheme, private address, robots.txt), S112 failed
                (network, timeout, HTTP error, too many redirects), S106 over the size limit.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.settings.max_bytes
        current = url
        seen = [url]
        for _ in range(self.settings.max_redirects + 1):
            check_url(current, allow_private=self.settings.allow_private)
            if not self.politeness.allowed(current, self._robots):
                raise InputError(errors.FETCH_REFUSED, url, f"robots.txt disallows {current}")
            status, reason, got, body = self._get_with_retries(url, current, headers, limit)
            location = got.get("location")
            if status in _REDIRECTS and location:
                current = urljoin(current, location.strip())
                if current in seen:
                    raise InputError(errors.FETCH_FAILED, url, f"redirect loop at {current}")
                seen.append(current)
                continue
            if status >= 400:
                raise InputError(errors.FETCH_FAILED, url, f"HTTP {status} {reason}".strip())
            warc = None
            if self.archive is not None and status != _NOT_MODIFIED:
                warc = self.archive.write(
                    current,
                    status=status,
                    reason=reason,
                    headers=got,
                    body=body,
                    request_headers={"Host": urlsplit(current).netloc, **headers},
                )
            return Fetched(
                url=url,
                final_url=current,
                status=status,
                headers=got,
                body=body,
                fetched_at=_now(),
                warc=warc,
                redirects=tuple(seen[1:]),
            )
        raise InputError(
            errors.FETCH_FAILED, url, f"more than {self.settings.max_redirects} redirects"
        )

    def _get_with_retries(
        self, url: str, current: str, headers: dict[str, str], limit: int
    ) -> tuple[int, str, dict[str, str], bytes]:
        """GET one hop; retry connection errors, timeouts, 429 and 5xx with backoff."""
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                with self.politeness.slot(current):
                    status, reason, got, body = self._get(url, current, headers, limit)
            except RefusedAddress as exc:
                raise InputError(errors.FETCH_REFUSED, url, str(exc)) from exc
            except ResponseDeadline as exc:
                # not retried: a server that drips its answer would hold the fetch for
                # every retry's deadline over again
                raise InputError(errors.FETCH_FAILED, url, f"timed out: {exc}") from exc
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if last:
                    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
                    raise InputError(
                        errors.FETCH_FAILED, url, f"{kind}: {type(exc).__name__} {exc}".strip()
                    ) from exc
                time.sleep(self.settings.backoff * 2**attempt)
                continue
            if status in _RETRY_STATUS and not last:
                time.sleep(self._pause(got, attempt))
                continue
            return status, reason, got, body
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def _pause(self, headers: dict[str, str], attempt: int) -> float:
        """Return the wait before a retry: the server's Retry-After when sane, else backoff."""
        after = headers.get("retry-after", "")
        if after.isdigit():
            return min(float(after), _MAX_RETRY_AFTER)
        return float(self.settings.backoff * 2**attempt)

    def _get(
        self, url: str, current: str, headers: dict[str, str], limit: int
    ) -> tuple[int, str, dict[str, str], bytes]:
        """GET one hop and read at most ``limit`` bytes, all of it within the deadline.

        The deadline covers connecting, the headers and the body: every socket operation is
        given only what is left of it, so a slow drip anywhere is abandoned at the deadline.

        Raises:
            ResponseDeadline: the response was not complete by the deadline.
            InputError: S113 when a redirect's Location is no URL httpx can form.
        """
        seconds = _DEADLINE_TIMEOUTS * self.settings.timeout
        _deadline.at, _deadline.cut = time.monotonic() + seconds, False
        try:
            return self._read(url, current, headers, limit)
        except httpx.InvalidURL as exc:
            # httpx builds the next request of every redirect, followed or not: a Location of
            # "data:..." or "javascript:..." raised out of the batch (no HTTPError), where a
            # "file:" one is refused by check_url as the next hop; robots.txt's too. Not retried.
            reason = f"redirected to a Location that is no URL to follow ({exc})"
            raise InputError(errors.FETCH_REFUSED, url, reason) from exc
        except httpx.TimeoutException as exc:
            if _deadline.cut or time.monotonic() >= _deadline.at:
                raise ResponseDeadline(
                    f"the whole response (connect, headers and body) took over {seconds}s"
                ) from exc
            raise
        finally:
            _deadline.at = None

    def _read(
        self, url: str, current: str, headers: dict[str, str], limit: int
    ) -> tuple[int, str, dict[str, str], bytes]:
        with self._client.stream("GET", current, headers=headers) as response:
            got = {k.lower(): v for k, v in response.headers.items()}
            status = response.status_code
            if status in _REDIRECTS or status == _NOT_MODIFIED:
                return status, response.reason_phrase, got, b""
            declared = got.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise InputError(
                    errors.TOO_LARGE, url, f"response of {declared} bytes over {limit}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise InputError(errors.TOO_LARGE, url, f"response over {limit} bytes")
                chunks.append(chunk)
            return status, response.reason_phrase, got, b"".join(chunks)

    def _robots(self, robots_url: str) -> tuple[int, str] | None:
        """Return robots.txt as (status, text), or None when it cannot be had."""
        try:
            check_url(robots_url, allow_private=self.settings.allow_private)
            status, _, _, body = self._get(robots_url, robots_url, {}, _ROBOTS_MAX_BYTES)
        except (InputError, RefusedAddress, httpx.HTTPError):
            return None
        return status, body.decode("utf-8", errors="replace")

    def fetch_many(
        self, requests: Iterable[FetchRequest], *, in_process: bool = False
    ) -> Iterator[tuple[FetchRequest, Fetched | InputError]]:
        """Fetch many URLs concurrently; yield each request with its response or error, in order.

        With politeness on, requests to one host still go one at a time (the host's lock);
        requests to different hosts overlap, and a list is taken host by host in turn (so the
        answers come in that order) lest one host's queue hold every worker. A large batch with
        politeness off is fetched by a forked child process (``worker.py``) unless
        ``in_process``.
        """
        if self.settings.politeness and isinstance(requests, list | tuple):
            requests = interleave_hosts(requests)
        if not in_process and self._use_child(requests):
            from storyline.fetch.worker import fetch_in_child  # noqa: PLC0415 - a cycle

            batch = list(requests)
            folder = self.archive.folder if self.archive is not None else None
            yield from fetch_in_child(self.settings, folder, batch)
            return
        workers = max(self.settings.concurrency, 1)
        pending: list[tuple[FetchRequest, Future[Fetched | InputError]]] = []
        with ThreadPoolExecutor(workers, thread_name_prefix="storyline-fetch") as pool:
            for request in requests:
                pending.append((request, pool.submit(self._safe_fetch, request)))
                # keep a bounded window in flight so a long URL list does not sit in memory
                while len(pending) >= 4 * workers:
                    yield self._result(pending.pop(0))
            while pending:
                yield self._result(pending.pop(0))

    def _use_child(self, requests: Iterable[FetchRequest]) -> bool:
        """Return True for a batch worth a child process: bulk, impolite, and fork available."""
        from storyline.fetch.worker import can_fork  # noqa: PLC0415 - a cycle

        return (
            not self.settings.politeness
            and self.settings.concurrency > 1
            and isinstance(requests, list | tuple)
            and len(requests) >= _CHILD_MIN_REQUESTS
            and can_fork()
        )

    @staticmethod
    def _result(
        item: tuple[FetchRequest, Future[Fetched | InputError]],
    ) -> tuple[FetchRequest, Fetched | InputError]:
        request, future = item
        return request, future.result()

    def _safe_fetch(self, request: FetchRequest) -> Fetched | InputError:
        try:
            return self.fetch(
                request.url,
                etag=request.etag,
                last_modified=request.last_modified,
                max_bytes=request.max_bytes,
            )
        except InputError as exc:
            return exc
        except (httpx.HTTPError, OSError, ValueError) as exc:
            # httpx raises these for URLs it cannot even form a request from
            return InputError(errors.FETCH_FAILED, request.url, f"{type(exc).__name__}: {exc}")


def interleave_hosts(requests: Sequence[FetchRequest]) -> list[FetchRequest]:
    """Return requests ordered one host at a time in turn, keeping each host's own order."""
    queues: dict[str, list[FetchRequest]] = {}
    for request in requests:
        queues.setdefault(host_key(request.url), []).append(request)
    ordered: list[FetchRequest] = []
    for turn in range(max((len(q) for q in queues.values()), default=0)):
        ordered.extend(q[turn] for q in queues.values() if turn < len(q))
    return ordered


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """A URL to fetch, the validators of its last copy, and what to carry along with it."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    max_bytes: int | None = None
    context: object = None  # e.g. the feed entry the URL came from
