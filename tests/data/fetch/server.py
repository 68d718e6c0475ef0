"""A local HTTP server for the fetch tests and bench: files from a folder plus bad behaviours.

Serves on 127.0.0.1 only. Besides static files (with ETag / Last-Modified and 304 answers):
/slow (sleeps), /drip (body sent slowly), /drip-headers (one header line at a time), /status/NNN, /flaky (503 until it has failed
``flaky_failures`` times), /loop/a <-> /loop/b, /redirect, /redirect-to/LOCATION (percent-encoded),
/huge, /huge-declared, /binary.
``aliases`` maps a path to another file, so a test can make a feed "gain items".
Every request is logged with its start and end time (monotonic) and headers.

Run as a script (``python server.py ROOT``) it prints its base URL and serves until killed.
"""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".json": "application/feed+json",
}
LAST_MODIFIED = "Mon, 04 May 2026 10:00:00 GMT"
PAGE = (
    b"<!DOCTYPE html><html><head><title>Slow page</title></head><body><article>"
    b"<p>The slow page finally arrived with a long paragraph of words for the reader.</p>"
    b"</article></body></html>"
)


@dataclass
class Hit:
    path: str
    start: float
    headers: dict[str, str]
    end: float = 0.0
    status: int = 0


@dataclass
class Behaviour:
    root: Path
    slow_seconds: float = 2.0
    flaky_failures: int = 2
    huge_bytes: int = 3_000_000
    # /drip-headers: this many header lines, one every so many seconds, then a page
    drip_header_lines: int = 60
    drip_header_seconds: float = 0.2
    aliases: dict[str, str] = field(default_factory=dict)
    # /robots.txt redirects here when set (else it is a static file, absent: 404)
    robots_location: str | None = None
    log: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    flaky_seen: int = 0

    def hits(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.log if h.path == path]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm holds the
        # body back until the client's delayed ACK (40 ms a response on keep-alive)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the tests read the hit log instead

    def do_GET(self) -> None:
        behaviour = self.server.behaviour
        hit = Hit(self.path.split("?", 1)[0], time.monotonic(), dict(self.headers.items()))
        with behaviour.lock:
            behaviour.log.append(hit)
        self.hit = hit
        try:
            hit.status = self._answer(behaviour, hit.path)
        except (BrokenPipeError, ConnectionResetError):
            hit.status = -1
        hit.end = hit.end or time.monotonic()

    def _send(self, status: int, body: bytes, ctype: str = "text/html", **headers: str) -> int:
        # recorded before the answer goes out: the client may read the log as soon as it has it
        self.hit.status = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.hit.end = time.monotonic()  # set here, not after: the client may already be done
        self.wfile.write(body)
        return status

    def _answer(self, b: Behaviour, path: str) -> int:
        if path == "/slow":
            time.sleep(b.slow_seconds)
            return self._send(200, PAGE)
        if path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(100 * 50))
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x" * 50)
                self.wfile.flush()
                time.sleep(0.05)
            return 200
        if path == "/drip-headers":
            # every line arrives well within a read timeout: only a deadline on the whole
            # response stops a client from waiting for all of them
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            for number in range(b.drip_header_lines):
                self.wfile.write(f"X-Drip-{number}: {'y' * 20}\r\n".encode())
                self.wfile.flush()
                time.sleep(b.drip_header_seconds)
            self.wfile.write(f"Content-Length: {len(PAGE)}\r\n\r\n".encode() + PAGE)
            self.wfile.flush()
            return 200
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return self._send(code, f"<html><body>status {code}</body></html>".encode())
        if path == "/flaky":
            with b.lock:
                b.flaky_seen += 1
                failing = b.flaky_seen <= b.flaky_failures
            if failing:
                return self._send(503, b"busy", Retry_After="0")
            path = "/ferry-aground.html"
        if path in {"/loop/a", "/loop/b"}:
            other = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self._send(302, b"", Location=other)
        if path == "/robots.txt" and b.robots_location is not None:
            return self._send(302, b"", Location=b.robots_location)
        if path.startswith("/redirect-to/"):  # a Location of any scheme, percent-encoded
            return self._send(302, b"", Location=unquote(path.removeprefix("/redirect-to/")))
        if path == "/redirect":
            return self._send(301, b"", Location="/ferry-aground.html")
        if path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
            sent = 0
            while sent < b.huge_bytes:
                self.wfile.write(chunk)
                sent += len(chunk)
            return 200
        if path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(b.huge_bytes))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return 200
        if path == "/binary":
            return self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "image/png")
        path = "/index.html" if path == "/" else path
        return self._static(b, b.aliases.get(path, path))

    def _static(self, b: Behaviour, path: str) -> int:
        target = (b.root / path.lstrip("/")).resolve()
        if b.root.resolve() not in target.parents or not target.is_file():
            return self._send(404, b"<html><body>not found</body></html>")
        body = target.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            # recorded before the answer goes out, as in _send: the client may read the log first
            self.hit.status = 304
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 304
        ctype = TYPES.get(target.suffix, "application/octet-stream")
        return self._send(200, body, ctype, ETag=etag, Last_Modified=LAST_MODIFIED)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of new connections,
    # which then wait a full second for the retransmit
    request_queue_size = 128
    behaviour: Behaviour


class FetchServer:
    """A running server; ``url(path)`` makes absolute URLs, ``behaviour`` tunes and logs."""

    def __init__(self, root: Path) -> None:
        self.behaviour = Behaviour(root)
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.behaviour = self.behaviour
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":
    with FetchServer(Path(sys.argv[1])) as running:
        print(running.base, flush=True)  # noqa: T201 - the caller reads the URL
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
