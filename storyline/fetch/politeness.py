"""Politeness towards the hosts fetched from: robots.txt, one connection and a delay per host."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def host_key(url: str) -> str:
    """Return the scheme://host:port a URL's politeness rules are kept under."""
    try:
        parts = urlsplit(url)
    except ValueError:
        # "http://[::1" (an unclosed IPv6 bracket): the URL is its own queue, and its fetch
        # fails alone as an S112 row; raising here ended the whole batch in an S199 traceback
        return url
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


class _Host:
    """One host's lock (one request at a time), time of its last request and robots rules."""

    __slots__ = ("last", "lock", "robots", "robots_lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.robots_lock = threading.Lock()
        self.last = 0.0  # monotonic time the last request to the host finished
        self.robots: RobotFileParser | None = None


class Politeness:
    """Per-host rules; disabled, every method lets everything through at once.

    Args:
        enabled: obey robots.txt and serialise and space out requests per host.
        delay: seconds between the end of one request to a host and the start of the next;
            a longer ``Crawl-delay`` (or ``Request-rate`` spacing) in robots.txt wins.
        user_agent: the agent robots.txt rules are matched against.
    """

    def __init__(self, *, enabled: bool, delay: float, user_agent: str) -> None:
        self.enabled = enabled
        self.delay = delay
        self.user_agent = user_agent
        self._hosts: dict[str, _Host] = {}
        self._guard = threading.Lock()

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._guard:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host()
            return host

    def allowed(self, url: str, fetch_robots: Callable[[str], tuple[int, str] | None]) -> bool:
        """Return whether robots.txt lets this agent fetch ``url`` (read once per host)."""
        if not self.enabled:
            return True
        rules = self._robots(url, fetch_robots)
        return rules.can_fetch(self.user_agent, url)

    def _robots(
        self, url: str, fetch_robots: Callable[[str], tuple[int, str] | None]
    ) -> RobotFileParser:
        host = self._host(url)
        if host.robots is not None:
            return host.robots
        with host.robots_lock:
            if host.robots is None:  # another thread may have read it while this one waited
                host.robots = self._read_robots(url, fetch_robots)
                host.last = time.monotonic()  # robots.txt was a request to the host too
            return host.robots

    @staticmethod
    def _read_robots(
        url: str, fetch_robots: Callable[[str], tuple[int, str] | None]
    ) -> RobotFileParser:
        robots_url = f"{host_key(url)}/robots.txt"
        rules = RobotFileParser(robots_url)
        answer = fetch_robots(robots_url)
        if answer is None or answer[0] >= 500 or answer[0] == 429:
            rules.parse([])  # cannot tell: a flaky robots.txt does not block a site
        elif answer[0] in {401, 403}:
            # the convention urllib.robotparser follows too: a guarded robots.txt means keep out
            rules.parse(["User-agent: *", "Disallow: /"])
        elif answer[0] >= 400:
            rules.parse([])
        else:
            rules.parse(answer[1].splitlines())
        return rules

    def host_delay(self, url: str) -> float:
        """Return the seconds to leave between two requests to the host of ``url``."""
        host = self._host(url)
        if host.robots is None:
            return self.delay
        crawl = host.robots.crawl_delay(self.user_agent)
        rate = host.robots.request_rate(self.user_agent)  # "Request-rate: 1/5": 5 s apart
        spacing = rate.seconds / rate.requests if rate is not None and rate.requests > 0 else 0.0
        return max(self.delay, float(crawl or 0.0), float(spacing))

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold the host's one connection for a request, after waiting out its delay."""
        if not self.enabled:
            yield
            return
        host = self._host(url)
        wait_for = self.host_delay(url)
        with host.lock:
            pause = host.last + wait_for - time.monotonic()
            if host.last and pause > 0:
                time.sleep(pause)
            try:
                yield
            finally:
                host.last = time.monotonic()
