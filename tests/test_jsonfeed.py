"""JSON Feed 1.0/1.1: discovered as application/feed+json, read like RSS and Atom feeds."""

from __future__ import annotations

import json

import pytest

from storyline import api
from storyline.errors import InputError
from storyline.fetch import discover_feeds, parse_json_feed
from storyline.fetch.listings import parse_listing
from storyline.watch.cycle import poll
from tests.conftest import REPO, settings_for

DATA = REPO / "tests" / "data" / "fetch"
BASE = "http://tessel.example/"


def _feed(*items: object, **top: object) -> bytes:
    doc = {"version": "https://jsonfeed.org/version/1", "title": "T", **top, "items": list(items)}
    return json.dumps(doc).encode()


def test_jsonfeed_items_carry_url_date_author_and_outlet():
    parsed = parse_json_feed((DATA / "feed.json").read_bytes(), BASE + "feed.json")
    assert parsed.title == "Tessel Gazette"
    ferry, festival = parsed.entries
    assert (ferry.url, ferry.title, ferry.published, ferry.author, ferry.outlet) == (
        BASE + "ferry-aground.html",
        "Ferry Aldermoor runs aground off Tessel Point",
        "2026-05-04",
        "Mira Castell",
        "Tessel Gazette",
    )
    # no item author: the feed's authors are the item's
    assert (festival.url, festival.author) == (BASE + "undated.html", "Gazette Desk")
    assert (festival.published, festival.updated) == ("2026-05-01", "2026-05-03")
    assert {e.feed for e in parsed.entries} == {BASE + "feed.json"}
    assert parsed.skipped == ()


def test_jsonfeed_dates_are_the_writers_days_as_rss_dates_are():
    # the day the writer's clock showed (UTC would move both to the neighbouring day); a year
    # alone stays a year (not 1 January); prose, a number and an ambiguous date are no date
    body = _feed(
        {"id": "1", "url": "/a", "date_published": "2026-05-01T23:30:00-02:00"},
        {"id": "2", "url": "/b", "date_published": "2026-05-02T00:10:00+01:00"},
        {"id": "3", "url": "/c", "date_published": "last Tuesday"},
        {"id": "4", "url": "/d", "date_published": 20260504},
        {"id": "5", "url": "/e", "date_published": "2026"},
        {"id": "6", "url": "/f", "date_published": "12/11/10"},
    )
    entries = parse_json_feed(body, BASE).entries
    assert [e.published for e in entries] == [
        "2026-05-01",
        "2026-05-02",
        None,
        None,
        "2026",
        None,
    ]
    assert "12/11/10" in (entries[5].published_note or "")


def test_jsonfeed_version_1_0_author_and_items_without_pages():
    body = _feed(
        {"id": "https://x.example/a", "title": "a", "author": {"name": "Ann Lee"}},
        {"id": "b", "title": "b", "url": "javascript:alert(1)"},
        {"id": "c", "content_text": "no link at all"},
        "not an item",
        {"id": "https://x.example/a", "title": "a again"},
    )
    parsed = parse_json_feed(body, BASE)
    # no url: an id that is an http(s) URL is the permalink; "c" is only an id, no page
    assert [(e.url, e.author) for e in parsed.entries] == [("https://x.example/a", "Ann Lee")]
    assert [(r.locator, r.code) for r in parsed.skipped] == [
        (f"{BASE} entry 'b'", "S113"),
        (f"{BASE} entry 'c'", "S103"),
        (f"{BASE} entry #{parsed.skipped[2].locator[-12:]}", "S103"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        (DATA / "malformed.json").read_bytes(),  # cut off mid-document
        b"{",
        b'{"version": "https://jsonfeed.org/version/1.1"}',  # no items
        b'{"items": []}',  # no version
        b'{"version": "https://jsonfeed.org/version/2", "items": []}',
        b'{"version": "https://jsonfeed.org/version/10", "items": []}',  # not 1 or 1.1
        # a lone surrogate (JSON allows the escape) in a title the store could not write
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "caf\\ud800", "items": []}',
        b'{"version": 1, "items": []}',
        b"[1, 2]",
        b'{"title": "\xff\xfe"}',  # not UTF-8
        b'{"a":' * 100_000,  # nested past the interpreter's stack
    ],
)
def test_jsonfeed_malformed_is_s115_as_rss_is(body):
    with pytest.raises(InputError) as info:
        parse_json_feed(body, BASE + "bad.json")
    assert info.value.code == "S115"


def test_jsonfeed_language_states_the_order_of_a_numeric_date():
    # a feed in German writes day first: 03.04.2015 is 3 April (no language: only the year)
    item = {"id": "1", "url": "/a", "date_published": "03.04.2015"}
    dated = parse_json_feed(_feed(item, language="de"), BASE).entries[0]
    assert dated.published == "2015-04-03"
    assert parse_json_feed(_feed(item), BASE).entries[0].published == "2015"


def test_jsonfeed_parse_listing_goes_by_content():
    class Fake:
        url = BASE + "x"
        body = b"\xef\xbb\xbf \n" + (DATA / "feed.json").read_bytes()

    assert len(parse_listing(Fake(), "feed").entries) == 2
    Fake.body = b'{"version": "https://jsonfeed.org/version/1"}'
    with pytest.raises(InputError, match="S115"):
        parse_listing(Fake(), "feed")


def test_jsonfeed_discovered_added_and_polled(fetch_server, tmp_path):
    html = (DATA / "json-index.html").read_text(encoding="utf-8")
    assert discover_feeds(html, BASE) == [BASE + "feed.json"]
    with api.open(tmp_path / "s.db", settings=settings_for(tmp_path)) as ws:
        added = ws.add_feeds(fetch_server.url("/json-index.html"))
        assert added == [(fetch_server.url("/feed.json"), "feed", True)]
        direct = ws.add_feeds(fetch_server.url("/feed.json"))
        assert direct == [(fetch_server.url("/feed.json"), "feed", False)]
        with ws.fetcher() as fetcher:
            report = poll(ws, fetcher, run_stages=False)
        assert (report.new_items, report.summary.stored, report.failed_feeds) == (2, 2, ())
        festival = next(a for a in ws.articles() if a.title == "Harbour festival moves to June")
        # the page has no date: the item's date_published is the publication date
        assert (festival.published, festival.published_source) == ("2026-05-01", "metadata")
        assert festival.meta["feed"] == fetch_server.url("/feed.json")
        (row,) = ws.feeds()
        assert (row.title, row.status) == ("Tessel Gazette", "ok")


def test_jsonfeed_malformed_feed_fails_its_poll_with_s115(fetch_server, tmp_path):
    with api.open(tmp_path / "s.db", settings=settings_for(tmp_path)) as ws:
        ws.add_feeds(fetch_server.url("/feed.json"))
        fetch_server.behaviour.aliases["/feed.json"] = "/malformed.json"
        with ws.fetcher() as fetcher:
            report = poll(ws, fetcher, run_stages=False)
        assert [(r.locator, r.code) for r in report.failed_feeds] == [
            (fetch_server.url("/feed.json"), "S115")
        ]
        assert {r.locator: r.code for r in ws.store.rejected()} == {
            fetch_server.url("/feed.json"): "S115"
        }
