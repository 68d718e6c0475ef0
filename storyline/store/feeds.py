"""The SQL for watched feeds, per-URL fetch state and the watch change log.

Functions take a ``Store`` and use its transaction and connection; the SQL is portable
(``?`` placeholders, ``ON CONFLICT`` upserts) so that it also runs where the store is not
SQLite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from storyline.store.base import chunks

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from storyline.store import Store


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A feed or sitemap being watched, and how its last poll went."""

    url: str
    kind: str  # "feed" or "sitemap"
    title: str | None
    site: str | None
    added_at: str
    polled_at: str | None = None
    status: str | None = None  # "ok", "not-modified", or an error code
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the last fetch of one URL returned: validators, status, where it is archived."""

    url: str
    fetched_at: str
    ok: bool
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    status: int | None = None
    error: str | None = None  # "S112: HTTP 404" when not ok
    warc: str | None = None
    feed: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One line of a watch cycle's change log."""

    kind: str  # new_story, story_grew, new_event, corroborated, conflict, left_out
    story_id: str | None
    text: str


# the change log's note of a listing over [fetch] max_entries_per_feed: "URL: N older ...";
# N is 0 when the listing came back under the cap, so that a count over it later is news
LEFT_OUT = "left_out"
_LEFT_OUT_RE = re.compile(r"^(.*): (\d+) older entr(?:y|ies) left out")
# listings per IN (...) query: under SQLite's oldest limit of 999 bound parameters
_IN_CHUNK = 500
_NUMBER_RE = re.compile(r"\d+")


def left_out_note(url: str, count: int) -> Change:
    """Return the change-log note that a listing's ``count`` oldest entries were left out."""
    entries = "entry" if count == 1 else "entries"
    where = "over" if count else "back under"
    text = f"{url}: {count} older {entries} left out ({where} [fetch] max_entries_per_feed)"
    return Change(LEFT_OUT, None, text)


def last_left_out(store: Store, urls: Iterable[str]) -> dict[str, int]:
    """Return the count the latest ``left_out`` note of each of these listings said.

    A listing never noted is absent. Read by key from ``left_out_counts``, which
    ``record_changes`` keeps beside the log: the log itself grows every cycle.
    """
    said: dict[str, int] = {}
    wanted = list(dict.fromkeys(urls))
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        marks = ", ".join("?" * len(chunk))
        query = f"SELECT listing, said FROM left_out_counts WHERE listing IN ({marks})"  # noqa: S608
        rows = store.conn.execute(query, chunk)
        said.update((listing, int(count)) for listing, count in rows)
    return said


def now() -> str:
    """Return the current UTC time as an ISO timestamp."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def add_feed(
    store: Store, url: str, *, kind: str, title: str | None = None, site: str | None = None
) -> bool:
    """Start watching a feed; return False when it was already watched."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO feeds (url, kind, title, site, added_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO NOTHING",
            (url, kind, title, site, now()),
        )
        return bool(cursor.rowcount)


def remove_feed(store: Store, url: str) -> bool:
    """Stop watching a feed; return False when it was not watched."""
    with store.transaction() as conn:
        cursor = conn.execute("DELETE FROM feeds WHERE url = ?", (url,))
        conn.execute("DELETE FROM fetch_state WHERE url = ?", (url,))
        return bool(cursor.rowcount)


def list_feeds(store: Store) -> list[FeedRow]:
    """Return the watched feeds in the order they were added."""
    rows = store.conn.execute(
        "SELECT url, kind, title, site, added_at, polled_at, status, error FROM feeds "
        "ORDER BY added_at, url"
    ).fetchall()
    return [FeedRow(*tuple(row)) for row in rows]


def mark_polled(store: Store, polls: Sequence[tuple[str, str, str | None, str | None]]) -> None:
    """Record how each feed's poll went: (url, status, error, title or None to keep it)."""
    if not polls:
        return
    stamp = now()
    with store.transaction() as conn:
        for url, status, error, title in polls:
            conn.execute(
                "UPDATE feeds SET polled_at = ?, status = ?, error = ?, "
                "title = COALESCE(?, title) WHERE url = ?",
                (stamp, status, error, title, url),
            )


def fetch_states(store: Store, urls: Iterable[str]) -> dict[str, FetchState]:
    """Return the stored fetch state of each URL that has one."""
    found: dict[str, FetchState] = {}
    for chunk, marks in chunks(dict.fromkeys(urls)):
        query = (
            "SELECT url, fetched_at, ok, final_url, etag, last_modified, status, error, warc, "  # noqa: S608 - only placeholders are formatted in
            f"feed FROM fetch_state WHERE url IN ({marks})"
        )
        rows = store.conn.execute(query, chunk).fetchall()
        for row in rows:
            values: list[Any] = list(row)
            values[2] = bool(values[2])
            found[values[0]] = FetchState(*values)
    return found


def save_fetch_states(store: Store, states: Sequence[FetchState]) -> None:
    """Write fetch states in one transaction, replacing what each URL had.

    A failed fetch keeps the validators and the ``ok`` flag of the last good one, so one bad
    poll neither loses a conditional request nor makes an article look new again.
    """
    if not states:
        return
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO fetch_state (url, final_url, etag, last_modified, status, fetched_at, "
            "ok, error, warc, feed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET "
            "final_url = COALESCE(excluded.final_url, fetch_state.final_url), "
            "etag = CASE WHEN excluded.ok = 1 THEN excluded.etag ELSE fetch_state.etag END, "
            "last_modified = CASE WHEN excluded.ok = 1 THEN excluded.last_modified "
            "ELSE fetch_state.last_modified END, "
            "status = excluded.status, fetched_at = excluded.fetched_at, "
            "ok = CASE WHEN excluded.ok = 1 THEN 1 ELSE fetch_state.ok END, "
            "error = excluded.error, warc = COALESCE(excluded.warc, fetch_state.warc), "
            "feed = COALESCE(excluded.feed, fetch_state.feed)",
            [
                (
                    s.url,
                    s.final_url,
                    s.etag,
                    s.last_modified,
                    s.status,
                    s.fetched_at,
                    1 if s.ok else 0,
                    s.error,
                    s.warc,
                    s.feed,
                )
                for s in states
            ],
        )


def failed_items(store: Store, feeds: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """Return (url, feed, error) of the items of these feeds never fetched successfully."""
    found: list[tuple[str, str, str | None]] = []
    for chunk, marks in chunks(feeds):
        query = (
            "SELECT url, feed, error FROM fetch_state WHERE ok = 0 AND feed IN "  # noqa: S608 - only placeholders are formatted in
            f"({marks}) ORDER BY url"
        )
        found.extend((r[0], r[1], r[2]) for r in store.conn.execute(query, chunk).fetchall())
    return found


def rejected_kinds(store: Store, locators: Iterable[str]) -> set[tuple[str, str, str]]:
    """Return (locator, code, ``reason_kind``) of the Rejected rows stored for these inputs.

    Read by key, chunked: not a read of every rejected input.
    """
    found: set[tuple[str, str, str]] = set()
    for chunk, marks in chunks(sorted(set(locators))):
        query = f"SELECT locator, code, reason FROM rejected WHERE locator IN ({marks})"  # noqa: S608 - only placeholders are formatted in
        rows = store.conn.execute(query, chunk).fetchall()
        found.update((r[0], r[1], reason_kind(r[2])) for r in rows)
    return found


def reason_kind(reason: str) -> str:
    """Return ``reason`` with its numbers hidden: what it says, not where or how many.

    A listing that breaks off at another byte, or after another count of items, is the same
    news; one that breaks off after it was "not a feed" is not.
    """
    return _NUMBER_RE.sub("#", reason)


def clear_rejected(store: Store, locators: Sequence[str]) -> None:
    """Drop the Rejected rows of inputs that now read fine (a feed that recovered)."""
    if not locators:
        return
    with store.transaction() as conn:
        conn.executemany("DELETE FROM rejected WHERE locator = ?", [(u,) for u in locators])


def record_changes(store: Store, cycle: str, changes: Sequence[Change]) -> None:
    """Append one watch cycle's change log."""
    if not changes:
        return
    counts = [
        (found[1], int(found[2]))
        for c in changes
        if c.kind == LEFT_OUT and (found := _LEFT_OUT_RE.match(c.text))
    ]
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO changes (cycle, seq, kind, story_id, text) VALUES (?, ?, ?, ?, ?)",
            [(cycle, n, c.kind, c.story_id, c.text) for n, c in enumerate(changes)],
        )
        # the last count said per listing, read back next cycle by key (last_left_out)
        if counts:
            conn.executemany(
                "INSERT INTO left_out_counts (listing, said) VALUES (?, ?) "
                "ON CONFLICT (listing) DO UPDATE SET said = excluded.said",
                counts,
            )


def changes(store: Store, *, since: str | None = None) -> list[tuple[str, Change]]:
    """Return (cycle, change) pairs of the change log, oldest first, after ``since``."""
    rows = store.conn.execute(
        "SELECT cycle, kind, story_id, text FROM changes WHERE cycle > ? ORDER BY cycle, seq",
        (since or "",),
    ).fetchall()
    return [(row[0], Change(row[1], row[2], row[3])) for row in rows]
