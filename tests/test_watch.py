from __future__ import annotations

import importlib
import shutil
import socket
import sqlite3
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from storyline import api
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.config import load_settings
from storyline.errors import ConfigError, UsageError
from storyline.fetch.client import Fetched, FetchRequest
from storyline.fetch.feeds import FeedEntry
from storyline.fetch.listings import Polled, _take, newest_entries
from storyline.models import Rejected
from storyline.store import feeds as feed_store
from storyline.watch.changes import Snapshot, diff
from storyline.watch.cycle import poll
from storyline.watch.schedule import parse_interval
from tests.conftest import BACKENDS, FETCH_TIMEOUT, REPO, open_store, settings_for, watch_config
from tests.data.fetch.server import FetchServer
from tests.test_cli import _installed

if TYPE_CHECKING:
    from pathlib import Path

DATA = REPO / "tests" / "data" / "fetch"
# the module, not the function storyline.fetch re-exports under the same name
# the scheduler calls ``poll`` through its module: tests replace it there
schedule_module = importlib.import_module("storyline.watch.schedule")
runner = CliRunner()
ARTICLE_PATHS = {
    "/ferry-aground.html",
    "/ferry-inquiry.html",
    "/ferry-refloated.html",
    "/undated.html",
}


def _article_hits(fetch_server):
    return [h.path for h in fetch_server.behaviour.log if h.path in ARTICLE_PATHS]


def _poll(ws):
    with ws.fetcher() as fetcher:
        return poll(ws, fetcher, run_stages=False)


def _dead_url():
    # a port that was free a moment ago: nothing listens there
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def test_watch_first_cycle_ingests_items_with_feed_metadata(fetch_server, fetch_workspace):
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))
    report = _poll(fetch_workspace)
    assert (report.feeds, report.new_items, report.summary.stored) == (1, 2, 2)
    by_title = {a.title: a for a in fetch_workspace.articles()}
    festival = by_title["Harbour festival moves to June"]
    # the page has no date (only a copyright year): the feed's pubDate is the publication date
    assert (festival.published, festival.published_source) == ("2026-05-01", "metadata")
    assert festival.meta["author"] == "News Desk"
    assert festival.meta["feed"] == fetch_server.url("/feed.xml")
    # the page's own metadata is kept where it has some
    assert (
        by_title["Ferry Aldermoor runs aground off Tessel Point"].meta["author"] == "Mira Castell"
    )
    (row,) = fetch_workspace.feeds()
    assert (row.title, row.status) == ("Tessel Gazette", "ok")


def test_watch_unchanged_feed_costs_one_conditional_request(fetch_server, fetch_workspace):
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))
    _poll(fetch_workspace)
    before = len(fetch_server.behaviour.log)
    report = _poll(fetch_workspace)
    later = fetch_server.behaviour.log[before:]
    assert [(h.path, h.status) for h in later] == [("/feed.xml", 304)]
    assert "If-None-Match" in later[0].headers
    assert (report.not_modified, report.new_items, report.summary.stored) == (1, 0, 0)
    assert report.lines()[1] == "  no changes"


def test_watch_picks_up_only_the_items_a_feed_adds(fetch_server, fetch_workspace):
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))
    _poll(fetch_workspace)
    assert sorted(_article_hits(fetch_server)) == ["/ferry-aground.html", "/undated.html"]
    fetch_server.behaviour.aliases["/feed.xml"] = "/feed-later.xml"
    before = len(fetch_server.behaviour.log)
    report = _poll(fetch_workspace)
    assert [h.path for h in fetch_server.behaviour.log[before:]] == [
        "/feed.xml",
        "/ferry-refloated.html",
    ]
    assert (report.new_items, report.summary.stored) == (1, 1)
    assert len(fetch_workspace.articles()) == 3


def test_watch_state_survives_a_restart(fetch_server, tmp_path):
    settings = settings_for(tmp_path)
    with api.open(tmp_path / "s.db", settings=settings) as ws:
        ws.add_feeds(fetch_server.url("/feed.xml"))
        _poll(ws)
    fetched = len(_article_hits(fetch_server))
    with api.open(tmp_path / "s.db", settings=settings) as ws:
        report = _poll(ws)
        assert (report.not_modified, report.new_items) == (1, 0)
        assert len(ws.articles()) == 2
    assert len(_article_hits(fetch_server)) == fetched


def test_watch_bad_hosts_and_malformed_feeds_never_stop_the_others(fetch_server, fetch_workspace):
    bad = [_dead_url(), fetch_server.url("/status/500"), fetch_server.url("/malformed.xml")]
    for url in bad:
        feed_store.add_feed(fetch_workspace.store, url, kind="feed")
    fetch_workspace.add_feeds(fetch_server.url("/atom.xml"))
    report = _poll(fetch_workspace)
    assert report.summary.stored == 1
    assert [(r.locator, r.code) for r in report.failed_feeds] == [
        (bad[0], "S112"),
        (bad[1], "S112"),
        (bad[2], "S115"),
    ]
    assert {r.locator: r.code for r in fetch_workspace.store.rejected()} == {
        bad[0]: "S112",
        bad[1]: "S112",
        bad[2]: "S115",
    }
    status = {f.url: f.status for f in fetch_workspace.feeds()}
    assert status == {
        bad[0]: "S112",
        bad[1]: "S112",
        bad[2]: "S115",
        fetch_server.url("/atom.xml"): "ok",
    }
    # the malformed feed is repaired: its Rejected row goes, what was stored stays
    fetch_server.behaviour.aliases["/malformed.xml"] = "/feed.xml"
    report = _poll(fetch_workspace)
    assert report.summary.stored == 2
    assert bad[2] not in {r.locator for r in fetch_workspace.store.rejected()}
    assert len(fetch_workspace.articles()) == 3


def test_watch_bad_items_are_rejected_and_only_transient_failures_retried(
    fetch_server, fetch_workspace
):
    fetch_server.behaviour.flaky_failures = 1
    fetch_workspace.add_feeds(fetch_server.url("/feed-bad-items.xml"))
    first = _poll(fetch_workspace)
    assert first.summary.stored == 1
    assert sorted((r.locator.rsplit("/", 1)[1], r.code) for r in first.summary.rejected) == [
        ("404", "S112"),
        ("binary", "S114"),
        ("flaky", "S112"),
    ]
    before = len(fetch_server.behaviour.log)
    second = _poll(fetch_workspace)
    # the feed is unchanged (304) but the 503 is tried again; the 404 and the image are not
    assert [h.path for h in fetch_server.behaviour.log[before:]] == [
        "/feed-bad-items.xml",
        "/flaky",
    ]
    assert second.summary.stored == 1
    assert {a.title for a in fetch_workspace.articles()} == {
        "Stranded ferry Aldermoor refloated at high tide",
        "Ferry Aldermoor runs aground off Tessel Point",
    }


def test_watch_sitemap_index_is_followed_to_its_news_sitemap(fetch_server, fetch_workspace):
    fetch_workspace.add_feeds(fetch_server.url("/sitemap-index.xml"))
    report = _poll(fetch_workspace)
    assert report.summary.stored == 2
    festival = next(
        a for a in fetch_workspace.articles() if a.title == "Harbour festival moves to June"
    )
    assert festival.published == "2026-05-01"  # news:publication_date


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("30s", 30.0), ("15m", 900.0), ("1h", 3600.0), ("2D", 172800.0)],
)
def test_watch_interval_parsing(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "soon", "5w", "-3m"])
def test_watch_bad_interval_is_a_usage_error(text):
    with pytest.raises(UsageError):
        parse_interval(text)


def test_watch_diff_names_what_is_new():
    before = Snapshot(
        stories={"s1": ("ferry", 2)},
        timeline={("s1", "2026-05-04", "Ferry runs aground.")},
        corroborated={"s1": [("Ferry runs aground.", frozenset({"a", "b"}), 2)]},
        conflicts={},
    )
    after = Snapshot(
        stories={"s1": ("ferry", 3), "s2": ("festival", 1)},
        timeline={("s1", "2026-05-04", "Ferry runs aground."), ("s1", "2026-05-06", "Refloated.")},
        corroborated={
            "s1": [
                ("The ferry ran aground.", frozenset({"a", "b", "c"}), 3),
                ("Inquiry opened.", frozenset({"b", "c"}), 2),
            ]
        },
        conflicts={("s1", "number", "board"): '[["212", ["b"]], ["230", ["c"]]]'},
    )
    assert [(c.kind, c.story_id, c.text) for c in diff(before, after)] == [
        ("story_grew", "s1", "ferry: 2 -> 3 articles"),
        ("new_story", "s2", "festival (1 articles)"),
        ("new_event", "s1", "2026-05-06: Refloated."),
        ("corroborated", "s1", "now 3 sources (was 2): The ferry ran aground."),
        ("corroborated", "s1", "now 2 sources: Inquiry opened."),
        ("conflict", "s1", "number board: 212 (b) vs 230 (c)"),
    ]
    assert diff(after, after) == []


def test_watch_cycles_update_stories_and_log_the_changes(fetch_server, tmp_path):
    config = watch_config(tmp_path)
    db = str(tmp_path / "s.db")
    for url in ("/feed.xml", "/atom.xml"):
        added = runner.invoke(
            app, ["feeds", "add", fetch_server.url(url), "--db", db, "--config", str(config)]
        )
        assert added.exit_code == 0, added.output
    first = runner.invoke(app, ["watch", "--once", "--db", db, "--config", str(config)])
    assert first.exit_code == 0, first.output
    assert "2 feeds polled, 0 unchanged, 0 failed, 3 new items, 3 articles stored" in first.output
    assert "new_story:" in first.output
    fetch_server.behaviour.aliases["/feed.xml"] = "/feed-later.xml"
    second = runner.invoke(
        app, ["watch", "--cycles", "2", "--every", "1s", "--db", db, "--config", str(config)]
    )
    assert second.exit_code == 0, second.output
    with api.open(db) as ws:
        log = ws.changes()
        stories = [r for r in ws.store.rows("stories") if r["level"] == "storyline"]
    cycles = sorted({cycle for cycle, _ in log})
    assert len(cycles) == 2  # the third cycle found nothing new and logged nothing
    grown = [c for cycle, c in log if cycle == cycles[1]]
    ferry = next(s for s in stories if len(s["article_ids"]) == 3)
    assert ("story_grew", ferry["id"]) in {(c.kind, c.story_id) for c in grown}
    assert any(c.kind == "new_event" and "refloated" in c.text for c in grown)
    # the new report gives another count of people on board than the inquiry did
    assert any(c.kind == "conflict" and "212" in c.text and "230" in c.text for c in grown)
    assert "no changes" in second.output


def test_watch_without_feeds_is_a_usage_error(tmp_path):
    with api.open(tmp_path / "s.db", settings=settings_for(tmp_path)) as ws:
        assert ws.watch(once=True)[0].feeds == 0
    result = runner.invoke(app, ["watch", "--once", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: [S003] no feeds to watch")


def test_watch_skips_a_cycle_when_the_database_is_busy(fetch_server, fetch_workspace, monkeypatch):
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))
    real_poll = schedule_module.poll
    calls = []

    def locked_once(workspace, fetcher, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_poll(workspace, fetcher, run_stages=False)

    monkeypatch.setattr(schedule_module, "poll", locked_once)
    skipped = []
    reports = fetch_workspace.watch(every=0.0, cycles=2, on_error=skipped.append)
    assert [str(e) for e in skipped] == ["database is locked"]
    assert len(reports) == 1  # the second cycle did the first one's work
    assert (reports[0].new_items, reports[0].summary.stored) == (2, 2)
    assert len(fetch_workspace.articles()) == 2


def test_watch_gives_up_after_repeated_store_errors(fetch_server, fetch_workspace, monkeypatch):
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))

    def always_locked(workspace, fetcher, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(schedule_module, "poll", always_locked)
    skipped = []
    with pytest.raises(sqlite3.OperationalError):
        fetch_workspace.watch(every=0.0, on_error=skipped.append)
    assert len(skipped) == schedule_module.MAX_FAILED_CYCLES - 1


def test_watch_nested_sitemap_indexes_are_followed_once_each(fetch_server, fetch_workspace):
    # sitemap-nested.xml lists sitemap-index.xml (which lists the news sitemap) and itself
    fetch_workspace.add_feeds(fetch_server.url("/sitemap-nested.xml"))
    added = len(fetch_server.behaviour.hits("/sitemap-nested.xml"))  # adding reads it once
    report = _poll(fetch_workspace)
    assert report.summary.stored == 2
    assert len(fetch_server.behaviour.hits("/sitemap-nested.xml")) == added + 1
    assert len(fetch_server.behaviour.hits("/sitemap-index.xml")) == 1
    assert len(fetch_server.behaviour.hits("/news-sitemap.xml")) == 1


def test_watch_a_stage_rejection_counts_in_the_cycle_and_the_exit_code(
    fetch_server, tmp_path, monkeypatch
):
    from storyline import stages  # noqa: PLC0415

    real = stages.assess_quality

    def breaks_on_the_festival(article, *args, **kwargs):
        if "festival" in article.title.lower():
            raise RuntimeError("quality scorer bug")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(stages, "assess_quality", breaks_on_the_festival)
    config = watch_config(tmp_path)
    db = str(tmp_path / "s.db")
    added = runner.invoke(
        app, ["feeds", "add", fetch_server.url("/feed.xml"), "--db", db, "--config", str(config)]
    )
    assert added.exit_code == 0, added.output

    result = runner.invoke(app, ["watch", "--once", "--db", db, "--config", str(config)])

    assert result.exit_code == 3, result.output
    assert "rejected by a stage: quality:" in result.output
    assert "[S199]" in result.output
    with api.open(db) as ws:
        festival = next(a for a in ws.articles() if "festival" in a.title.lower())
        assert ws.store.rejected_items("quality") == {festival.id}
    assert f"quality:{festival.id}" in result.output


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_rejected_kinds_reads_the_rows_of_the_locators_asked(tmp_path, backend):
    # the cycle's "already on record" check: by key, not a read of every rejected input
    with open_store(backend, tmp_path) as store:
        rows = [Rejected(f"feed entry {n}", "S112", "fetch failed") for n in range(3)]
        cut = Rejected("feed entry 9", "S115", "breaks off (at byte 120); 3 items read")
        store.save_batch([], [*rows, cut])
        asked = ["feed entry 1", "feed entry 9", "feed entry 7", "feed entry 1"]
        found = feed_store.rejected_kinds(store, iter(asked))
        assert found == {
            ("feed entry 1", "S112", "fetch failed"),
            ("feed entry 9", "S115", "breaks off (at byte #); # items read"),
        }
        assert feed_store.rejected_kinds(store, []) == set()


def _entry(url: str, published: str | None = None, updated: str | None = None) -> FeedEntry:
    return FeedEntry(url, feed="http://x.example/f", published=published, updated=updated)


def test_watch_cap_keeps_the_newest_entries_in_listing_order():
    entries = [
        _entry("a", "2026-05-01"),
        _entry("b"),  # undated: after every dated entry
        _entry("c", "2026-05-04"),
        _entry("d", None, "2026-05-03"),  # only a change date (lastmod): it counts
        _entry("e", "2026-05-04"),  # same day as c: listing order decides
    ]
    kept, left_out = newest_entries(entries, 3)
    assert ([e.url for e in kept], left_out) == (["c", "d", "e"], 2)
    kept, left_out = newest_entries(entries, 2)
    assert ([e.url for e in kept], left_out) == (["c", "e"], 3)
    assert newest_entries(entries, 5) == (tuple(entries), 0)
    undated = [_entry(f"u{i}") for i in range(50_000)]  # no dates: the first listed
    kept, left_out = newest_entries(undated, 1000)
    assert (kept, left_out) == (tuple(undated[:1000]), 49_000)
    # a sitemap lists oldest first: with no dates its newest are its last (ties too)
    kept, left_out = newest_entries(undated, 1000, oldest_first=True)
    assert (kept, left_out) == (tuple(undated[-1000:]), 49_000)
    kept, _ = newest_entries(entries, 1, oldest_first=True)
    assert [e.url for e in kept] == ["e"]  # c and e share the newest day: the later listed


def test_watch_cap_bounds_the_rejected_rows_of_items_naming_no_page():
    # 30 items with no link would be 30 Rejected rows every cycle; the cap keeps 10 of them
    # and counts the other 20 with the entries left out (nothing unsaid)
    items = "".join(f"<item><title>t{i}</title></item>" for i in range(30))
    body = f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()
    url = "http://x.example/feed.xml"
    answer = Fetched(url, url, 200, {}, body, "2026-05-04T10:00:00+00:00")
    out = Polled()
    _take(FetchRequest(url, context=SimpleNamespace(kind="feed")), answer, out, [], 10)
    assert (len(out.skipped), out.capped) == (10, [(url, 20)])
    assert {row.code for row in out.skipped} == {"S103"}


def test_watch_cap_is_a_fetch_setting_with_a_bound():
    assert load_settings().fetch.max_entries_per_feed == 1000
    with pytest.raises(ConfigError, match="max_entries_per_feed"):
        load_settings(overrides={"fetch": {"max_entries_per_feed": 0}})


def test_watch_feed_over_the_cap_fetches_its_newest_and_says_how_many_were_left_out(
    fetch_server, tmp_path
):
    settings = settings_for(tmp_path, max_entries_per_feed=1)
    with api.open(tmp_path / "s.db", settings=settings) as ws:
        ws.add_feeds(fetch_server.url("/feed.xml"))  # the ferry (4 May), the festival (1 May)
        report = _poll(ws)
        assert [a.title for a in ws.articles()] == ["Ferry Aldermoor runs aground off Tessel Point"]
        assert "/undated.html" not in _article_hits(fetch_server)
        assert (report.new_items, report.capped) == (1, ((fetch_server.url("/feed.xml"), 1),))
        head, *body = report.lines()
        assert head.endswith(", 1 older entry left out")
        assert body[-1] == (
            f"  left out: 1 older entry of {fetch_server.url('/feed.xml')} "
            "(over [fetch] max_entries_per_feed)"
        )
        assert report.summary.rejected == ()  # a bound, not a bad input: exit code 0


# the site's four pages, newest first (a feed lists its newest first)
_PAGES = (
    ("ferry-inquiry.html", "Thu, 07 May 2026 08:00:00 GMT"),
    ("ferry-refloated.html", "Wed, 06 May 2026 16:30:00 GMT"),
    ("ferry-aground.html", "Mon, 04 May 2026 09:10:00 GMT"),
    ("undated.html", "Fri, 01 May 2026 08:00:00 GMT"),
)


def _site(tmp_path, items: int) -> tuple[Path, bytes]:
    """Return a site serving the four pages, and its feed of the oldest ``items`` of them."""
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    for name, _ in _PAGES:
        shutil.copy(DATA / name, root / name)
    listed = "".join(
        f"<item><title>{name}</title><link>/{name}</link><pubDate>{date}</pubDate></item>"
        for name, date in _PAGES[len(_PAGES) - items :]
    )
    feed = f"<rss version='2.0'><channel><title>T</title>{listed}</channel></rss>".encode()
    (root / "feed.xml").write_bytes(feed)
    return root, feed


def test_watch_cap_note_is_said_when_its_count_changes_not_every_cycle(tmp_path):
    root, feed = _site(tmp_path, 3)
    settings = settings_for(tmp_path, max_entries_per_feed=1, timeout=FETCH_TIMEOUT)
    with FetchServer(root) as server, api.open(tmp_path / "s.db", settings=settings) as ws:
        url = server.url("/feed.xml")
        ws.add_feeds(url)
        first = _poll(ws)
        (root / "feed.xml").write_bytes(feed + b"<!-- edited -->")  # read again: still 2 out
        second = _poll(ws)
        _site(tmp_path, 4)  # one more item: 3 left out
        third = _poll(ws)
        notes = [c.text for _, c in feed_store.changes(ws.store) if c.kind == "left_out"]
    assert (first.capped, first.capped_news) == (((url, 2),), ((url, 2),))
    assert (second.capped, second.capped_news) == (((url, 2),), ())
    assert second.lines()[1:] == ["  no changes"]  # the count is in the head line only
    assert second.lines()[0].endswith(", 2 older entries left out")
    assert (third.capped, third.capped_news) == (((url, 3),), ((url, 3),))
    assert third.lines()[-1] == (
        f"  left out: 3 older entries of {url} (over [fetch] max_entries_per_feed)"
    )
    assert notes == [
        f"{url}: 2 older entries left out (over [fetch] max_entries_per_feed)",
        f"{url}: 3 older entries left out (over [fetch] max_entries_per_feed)",
    ]


def test_watch_feed_cut_mid_item_is_said_once_and_read_whole_again(tmp_path):
    # a dropped connection: the feed's first three items whole, the fourth cut in its link
    root, whole = _site(tmp_path, 4)
    (root / "feed.xml").write_bytes(whole[: whole.index(b"/undated") + 4])
    config = watch_config(tmp_path)
    db = str(tmp_path / "s.db")
    watch = ["watch", "--once", "--db", db, "--config", str(config)]
    with FetchServer(root) as server:
        feed = server.url("/feed.xml")
        added = runner.invoke(app, ["feeds", "add", feed, "--db", db, "--config", str(config)])
        assert added.exit_code == 0, added.output
        first = _installed(*watch)
        second = _installed(*watch)
        (root / "feed.xml").write_bytes(whole)
        third = _installed(*watch)
        feed_answers = [h.status for h in server.behaviour.hits("/feed.xml")]
    assert first.returncode == EXIT_REJECTED, first.stdout + first.stderr
    assert f"rejected [S115] {feed}: the document breaks off" in first.stdout
    assert "the 3 items complete before it are read" in first.stdout
    assert (second.returncode, "S115" in second.stdout) == (0, False)  # said once
    assert third.returncode == 0, third.stdout + third.stderr
    # no validators were kept from a broken copy: each poll (after `feeds add`'s) got a 200
    assert feed_answers == [200, 200, 200, 200]
    with api.open(db) as ws:
        assert {a.meta["feed"] for a in ws.articles()} == {feed}
        assert len(ws.articles()) == 4  # the fourth item once the feed came whole
        assert ws.store.rejected() == []  # the break cleared once the feed read whole


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_left_out_notes_read_back_the_last_count_of_each_listing(tmp_path, backend):
    with open_store(backend, tmp_path) as store:
        odd = "http://b.example/s.xml?q=a: b"  # ": " in the URL itself
        first = [
            feed_store.left_out_note("http://a.example/f", 2),
            feed_store.left_out_note(odd, 1),
        ]
        feed_store.record_changes(store, "c1", first)
        later = feed_store.left_out_note("http://a.example/f", 5)
        feed_store.record_changes(store, "c2", [feed_store.Change("new_story", "s", "x"), later])
        # a LIKE wildcard, or another case, in a URL names no other listing's notes
        wild = "http://a.example/%"
        upper = "HTTP://A.EXAMPLE/F"
        feed_store.record_changes(store, "c3", [feed_store.left_out_note(wild, 7)])
        wanted = ["http://a.example/f", odd, "http://a.example/_", upper, "http://c.example/"]
        assert feed_store.last_left_out(store, wanted) == {"http://a.example/f": 5, odd: 1}
        assert feed_store.last_left_out(store, [wild, odd]) == {wild: 7, odd: 1}
        feed_store.record_changes(store, "c4", [feed_store.left_out_note(odd, 0)])
        assert feed_store.last_left_out(store, [odd]) == {odd: 0}


def test_watch_cap_note_is_said_again_after_the_listing_was_under_the_cap(tmp_path):
    root, _ = _site(tmp_path, 3)
    settings = settings_for(tmp_path, max_entries_per_feed=1, timeout=FETCH_TIMEOUT)
    with FetchServer(root) as server, api.open(tmp_path / "s.db", settings=settings) as ws:
        url = server.url("/feed.xml")
        ws.add_feeds(url)
        first = _poll(ws)  # 2 left out
        _site(tmp_path, 1)  # one item: none left out
        second = _poll(ws)
        unchanged = _poll(ws)  # a 304: nothing read, nothing noted
        _site(tmp_path, 3)  # 2 left out again: said again
        third = _poll(ws)
        notes = [c.text for _, c in feed_store.changes(ws.store) if c.kind == "left_out"]
    assert first.capped_news == ((url, 2),)
    assert (second.capped, second.capped_news) == ((), ())
    assert unchanged.not_modified == 1
    assert (third.capped, third.capped_news) == (((url, 2),), ((url, 2),))
    assert third.lines()[-1] == (
        f"  left out: 2 older entries of {url} (over [fetch] max_entries_per_feed)"
    )
    assert notes == [
        f"{url}: 2 older entries left out (over [fetch] max_entries_per_feed)",
        f"{url}: 0 older entries left out (back under [fetch] max_entries_per_feed)",
        f"{url}: 2 older entries left out (over [fetch] max_entries_per_feed)",
    ]


def _sitemap_site(tmp_path, body: bytes) -> Path:
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    shutil.copy(DATA / "ferry-inquiry.html", root / "a.html")
    shutil.copy(DATA / "ferry-aground.html", root / "b.html")
    (root / "sitemap.xml").write_bytes(body)
    return root


_SITEMAP = (
    b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
    b"<url><loc>/a.html</loc><lastmod>2026-05-07</lastmod></url>"
    b"<url><loc>/b.html?x=1&amp;y=2</loc><lastmod>2026-05-06</lastmod></url></urlset>"
)


@pytest.mark.parametrize(
    ("body", "row"),
    [
        # a whole sitemap with a NUL after it: no row, and the next polls are 304s (as before)
        (_SITEMAP + b"\n\x00", None),
        # an unescaped "&" in the second <loc>: its own S115 row, said once, validators kept
        (_SITEMAP.replace(b"&amp;", b"&"), "not well-formed"),
    ],
)
def test_watch_sitemap_error_that_is_no_break_keeps_its_validators(tmp_path, body, row):
    root = _sitemap_site(tmp_path, body)
    settings = settings_for(tmp_path, timeout=FETCH_TIMEOUT)
    with FetchServer(root) as server, api.open(tmp_path / "s.db", settings=settings) as ws:
        url = server.url("/sitemap.xml")
        ws.add_feeds(url)
        cycles = [_poll(ws) for _ in range(3)]
        statuses = [h.status for h in server.behaviour.hits("/sitemap.xml")]
        rejected = ws.store.rejected()
        titles = {a.meta.get("feed") for a in ws.articles()}
    assert statuses[-2:] == [304, 304]
    assert [c.not_modified for c in cycles] == [0, 1, 1]
    assert titles == {url}
    if row is None:
        assert rejected == []
        assert [len(c.summary.rejected) for c in cycles] == [0, 0, 0]
    else:
        ((locator, code, reason),) = [(r.locator, r.code, r.reason) for r in rejected]
        assert (locator, code) == (url, "S115")
        assert reason.startswith(row)
        assert "the 1 items before it are read" in reason
        assert [len(c.summary.rejected) for c in cycles] == [1, 0, 0]


def test_watch_feed_break_after_another_row_is_said_and_replaces_it(tmp_path):
    root, whole = _site(tmp_path, 4)
    settings = settings_for(tmp_path, timeout=FETCH_TIMEOUT)
    with FetchServer(root) as server, api.open(tmp_path / "s.db", settings=settings) as ws:
        url = server.url("/feed.xml")
        ws.add_feeds(url)
        (root / "feed.xml").unlink()  # first a 404: the feed's row is a failed fetch

        def cycle(body: bytes | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            if body is not None:
                (root / "feed.xml").write_bytes(body)
            said = [(r.code, r.reason) for r in _poll(ws).summary.rejected if r.locator == url]
            return said, [(r.code, r.reason) for r in ws.store.rejected() if r.locator == url]

        missing = cycle(None)
        not_feed = cycle(b"<html><body>moved</body></html>")
        cut_late = cycle(whole[: whole.index(b"/undated") + 4])  # 3 items whole
        cut_early = cycle(whole[: whole.index(b"/ferry-aground") + 4])  # 2 items whole
        mended = cycle(whole)
    assert missing[1] == missing[0] != []
    assert missing[0][0][0] != "S115"
    # "not a feed" is said, and the break after it is said too: it is other news
    ((code, reason),) = not_feed[0]
    assert (code, reason.startswith("not a feed")) == ("S115", True)
    ((code, reason),) = cut_late[0]
    assert (code, "the 3 items complete before it are read" in reason) == ("S115", True)
    assert cut_late[1] == cut_late[0]  # one row for the feed: the break replaced the others
    # the same break at another byte is not said again, and the row tells where it is now
    assert cut_early[0] == []
    ((code, reason),) = cut_early[1]
    assert "the 2 items complete before it are read" in reason
    assert mended == ([], [])  # read whole: the feed's row is gone
