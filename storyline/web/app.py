"""The FastAPI application: security headers, error handling, static files and ``serve``.

Requests read a SQLite file through a pool of read-only connections, side by side (WAL
lets readers run beside the writer), and a PostgreSQL store through a pool of connections
each reading one read-only snapshot; every read goes through ``store.read.Reader``. Only
``POST /api/ingest``, when enabled, writes, through the store's own connection behind
``WebState.lock``. An in-memory store has that one
connection only, so its requests take the lock in turn.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections import OrderedDict
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.templating import Jinja2Templates

from storyline.store import Store
from storyline.store.base import store_error_of
from storyline.web import queries
from storyline.web.pool import PgReadPool, ReadPool
from storyline.web.providers import Providers
from storyline.web.search import SearchIndex

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Sequence

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from storyline.config import Settings

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"
MAX_BODY_BYTES = 16 * 1024 * 1024  # the largest request any route accepts (ingest uploads)
MAX_CACHED_BYTES = 2 * 1024 * 1024  # larger responses are rendered each time
# Requests reading at once (more wait for a connection, first come first served). Rendering
# holds the GIL, so more threads only contend for it: each SQLite call releases and retakes
# it, and the event loop's every socket call waits behind the rendering threads too. Measured
# with bench/web_pages.py (synthetic store, 2 cores shared with other work, 50 clients):
# uncached story pages p99 with 2 -> 991 and 1124 ms (two runs), 4 -> 2460, 40 -> 1120 and
# 1477 (single runs on a loaded machine: noisy); a bound chosen on that one synthetic bench.
READ_CONNECTIONS = 2
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
ERROR_CODES = {
    400: "invalid_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "too_large",
    415: "unsupported_media_type",
    500: "internal",
    503: "store_unavailable",
}


@dataclass
class WebState:
    """What every request handler needs: the store, its lock, the search index, providers."""

    store: Store
    providers: Providers
    allow_ingest: bool
    max_body_bytes: int
    read_connections: int = READ_CONNECTIONS
    # a timeline date this many independent outlets report is drawn corroborated
    # ([timeline] min_outlets, what `storyline timeline --corroborated` keeps)
    min_outlets: int = 2
    # what uploads are read under (`storyline serve --config`); None: the defaults and
    # ./storyline.toml, read at each upload
    settings: Settings | None = None
    # held while the store's own connection is used: writes, and every read of a memory store
    lock: threading.RLock = field(default_factory=threading.RLock)
    index: SearchIndex = field(init=False)
    pool: ReadPool | None = field(init=False, default=None)
    watcher: sqlite3.Connection | None = field(init=False, default=None)
    watch_lock: threading.Lock = field(default_factory=threading.Lock)
    _memo: dict[str, Any] = field(init=False, default_factory=dict)  # the store connection's

    _versions: itertools.count[int] = field(init=False, default_factory=itertools.count)

    def __post_init__(self) -> None:
        if self.store.dialect == "postgresql":
            self.index = SearchIndex(None)  # PostgreSQL searches on the request's connection
            self.pool = PgReadPool(self.store.path, self.read_connections)
            self.store.on_close(self.pool.close)  # an app never started still closes them
            return
        self.index = SearchIndex(self.store.sqlite_connection(), self.lock)
        if self.store.path != ":memory:":
            self.pool = ReadPool(Path(self.store.path), self.read_connections)
            # a second, read-only connection sees every commit, ours included, in data_version
            uri = Path(self.store.path).resolve().as_uri() + "?mode=ro"
            self.watcher = sqlite3.connect(uri, uri=True, check_same_thread=False)

    def close(self) -> None:
        """Close the pool and the watching connection (the store belongs to the caller)."""
        if self.pool is not None:
            self.pool.close()
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """Lend a connection for one request's queries, all of them seeing one snapshot.

        A file or a PostgreSQL store is read through a connection of the pool, beside other
        requests; a memory store through its only connection, one request at a time.
        """
        if self.pool is None:
            with self.lock:
                yield self.store.sqlite_connection()
            return
        with self.pool.connection() as conn:
            yield conn

    def entity_index(self, conn: Any) -> queries.EntityIndex | None:  # noqa: ANN401
        """Return the entity index of what ``conn`` reads now, built once per database state.

        It is kept with the connection and keyed by what identifies the connection's
        snapshot: ``PRAGMA data_version`` inside a pooled connection's read transaction
        (it changes when another connection has committed), and the change count of the
        store's own connection (its own commits do not move its data_version). PostgreSQL has
        no such number: None, and the reader builds the index for the request.
        """
        if self.store.dialect == "postgresql":
            return None
        if self.pool is not None and conn is not self.store.conn:
            memo = self.pool.memo(conn)
            key = int(conn.execute("PRAGMA data_version").fetchone()[0])
        else:
            memo = self._memo
            key = int(conn.total_changes)
        kept = memo.get("entities")
        if kept is None or kept[0] != key:
            kept = (key, queries.entity_index(conn))
            memo["entities"] = kept
        index: queries.EntityIndex = kept[1]
        return index

    def version(self) -> int:
        """Return a number that changes whenever anything commits to the database.

        It never waits for the store's lock, so a slow page cannot stall the event loop.
        The watcher's ``data_version`` moves on commits by any other connection, the
        store's own and another process's included; an in-memory store has no other
        connection, so its own ``total_changes`` count is used instead. PostgreSQL has no
        commit counter a reader can see at once: every call gives a new number, so that
        nothing is cached (a page is always read from the database).
        """
        if self.store.dialect == "postgresql":
            return next(self._versions)
        if self.watcher is None:
            return int(self.store.sqlite_connection().total_changes)
        with self.watch_lock:
            return int(self.watcher.execute("PRAGMA data_version").fetchone()[0])


class ResponseCache:
    """Keep the last responses to GET requests until the database changes.

    Pages are pure functions of the store, so a repeated request is answered from memory;
    any commit to the store, here or by another process, empties the cache.
    """

    def __init__(self, app: ASGIApp, state: WebState, entries: int = 256) -> None:
        self.app = app
        self.state = state
        self.entries = entries
        self.cache: OrderedDict[bytes, tuple[Message, bytes]] = OrderedDict()
        self.seen: int | None = None
        # one render per page at a time: concurrent requests for it wait for that render
        self.rendering: dict[bytes, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or pass on and remember a complete 200 response."""
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        version = self.state.version()
        if version != self.seen:
            self.cache.clear()
            self.seen = version
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        if key in self.rendering:
            await self.rendering[key].wait()
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.move_to_end(key)
            start, body = hit
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        done = self.rendering.setdefault(key, asyncio.Event())
        try:
            await self._render(scope, receive, send, key, version)
        finally:
            if self.rendering.get(key) is done:
                del self.rendering[key]
            done.set()

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: bytes, version: int
    ) -> None:
        parts: list[Message] = []

        async def remember(message: Message) -> None:
            parts.append(message)
            await send(message)

        await self.app(scope, receive, remember)
        starts = [p for p in parts if p["type"] == "http.response.start"]
        bodies = [p for p in parts if p["type"] == "http.response.body"]
        if (
            len(starts) != 1
            or starts[0]["status"] != 200
            or any(p.get("more_body") for p in bodies[-1:])
        ):
            return  # only whole, successful responses are kept
        body = b"".join(p.get("body", b"") for p in bodies)
        if len(body) <= MAX_CACHED_BYTES and version == self.seen:
            start = {**starts[0], "headers": list(starts[0].get("headers", []))}
            self.cache[key] = (start, body)
            while len(self.cache) > self.entries:
                self.cache.popitem(last=False)


class SecurityMiddleware:
    """Add the security headers to every response and refuse oversized request bodies."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap ``send`` to add headers; answer 413 early when Content-Length is too big."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # a new message: the cache may hold the one passed in
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body_bytes:
            response = error_response(scope["path"], 413, "request body too large")
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer HEAD as GET without the body: FastAPI routes answer GET only, so HEAD was 405.

    Link checkers, uptime monitors and ``curl -I`` send HEAD, and HTTP asks every server that
    answers GET to answer HEAD too (RFC 9110, 9.1). The headers (Content-Length included) are
    the GET answer's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a HEAD request on as GET and drop the body from what comes back."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": True}
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def error_response(
    path: str, status: int, message: str, errors: list[str] | None = None
) -> Response:
    """Return an API error as JSON with a stable code, or a page error as a friendly page."""
    code = ERROR_CODES.get(status, "error")
    if path.startswith("/api/") or path == "/api":
        body: dict[str, Any] = {"status": status, "code": code, "message": message}
        if errors:
            body["errors"] = errors
        return JSONResponse({"error": body}, status_code=status)
    template = TEMPLATES.get_template("error.html")
    html = template.render(status=status, code=code, message=message, errors=errors or [])
    return HTMLResponse(html, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(request.url.path, exc.status_code, message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    ]
    return error_response(request.url.path, 400, "invalid request", errors)


async def _store_error(request: Request, exc: Exception) -> Response:
    # a damaged file or another program's lock is no bug of ours: the CLI's S002/S004, not a
    # 500 whose traceback ends in the server log as a bug would
    store_error = store_error_of(exc)
    if store_error is None:
        raise exc  # any other SQLite error is a bug: the 500 below, traceback logged
    return error_response(request.url.path, 503, str(store_error))


async def _internal_error(request: Request, exc: Exception) -> Response:  # noqa: ARG001
    response = error_response(request.url.path, 500, "internal error")
    # this answer is sent from outside the middleware that adds the headers to the others
    for name, value in SECURITY_HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


def create_app(
    store: Store,
    *,
    allow_ingest: bool = False,
    providers: Providers | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    cache_entries: int = 256,
    trusted_hosts: Sequence[str] | None = None,
    read_connections: int = READ_CONNECTIONS,
    min_outlets: int | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """Return the web app (pages and ``/api``) over one store.

    Args:
        store: the database to show; it is only written through ``POST /api/ingest``.
        allow_ingest: accept uploads on ``POST /api/ingest`` (403 otherwise).
        providers: where briefings, timelines and claims come from (default: the store).
        max_body_bytes: the largest request body accepted (413 above it).
        cache_entries: how many GET responses to keep until the store changes (0: none).
        trusted_hosts: the only Host headers answered (400 otherwise); None answers any.
        read_connections: requests of a SQLite file reading at once, each on its own
            read-only connection (a memory store has one connection: one at a time).
        min_outlets: independent outlets that corroborate a timeline date in the chart;
            None reads ``[timeline] min_outlets`` of the settings (./storyline.toml if any).
        settings: the resolved settings uploads are read under, and ``min_outlets`` when
            that is None; None resolves the defaults (and ./storyline.toml) when needed.

    Returns:
        A FastAPI app to run with uvicorn or to test with ``TestClient``.
    """
    from storyline.web import api, pages  # noqa: PLC0415 - they import this module's helpers

    if min_outlets is None:
        from storyline.config import load_settings  # noqa: PLC0415 - only when not given

        min_outlets = (settings or load_settings()).timeline.min_outlets
    state = WebState(
        store,
        providers or Providers(),
        allow_ingest,
        max_body_bytes,
        max(1, read_connections),
        min_outlets=min_outlets,
        settings=settings,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        lifespan=lifespan,
        title="storyline",
        summary="Stories, articles, quotes and entities built from a pile of news articles.",
        docs_url=None,  # the stock docs load scripts from a CDN; /docs is served locally instead
        redoc_url=None,
    )
    app.state.web = state
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(sqlite3.DatabaseError, _store_error)
    app.add_exception_handler(Exception, _internal_error)
    if cache_entries > 0:
        app.add_middleware(ResponseCache, state=state, entries=cache_entries)
    app.add_middleware(HeadAsGet)  # outside the cache: a HEAD is answered from it too
    app.add_middleware(SecurityMiddleware, max_body_bytes=max_body_bytes)
    if trusted_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(trusted_hosts))
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def serve(
    db: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_ingest: bool = False,
    min_outlets: int | None = None,
    *,
    settings: Settings | None = None,
) -> None:
    """Serve the database at ``db`` on ``host:port`` until interrupted."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    # on a loopback address, answer only loopback names: a web page that rebinds its own
    # domain name to 127.0.0.1 must not be able to read the API
    trusted = LOOPBACK_NAMES if host in LOOPBACK_NAMES else None
    with Store(db) as store:
        app = create_app(
            store,
            allow_ingest=allow_ingest,
            trusted_hosts=trusted,
            min_outlets=min_outlets,
            settings=settings,
        )
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
