"""JSON Feed 1.0/1.1: discovered as application/feed+json, read like RSS and Atom feeds."""

from __future__ import annotations

import contextlib
import importlib
import json

import pytest

from storyline import api
from storyline.errors import InputError
from storyline.fetch import discover_feeds, parse_json_feed
from storyline.fetch.listings import parse_listing
from storyline.watch.cycle import poll
from tests.conftest import REPO, settings_for

DATA = REPO / "tests" / "data" / "fetch"
# the module, not the function storyline.fetch re-exports under the same name
jsonfeed_module = importlib.import_module("storyline.fetch.jsonfeed")
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


def _whole_feed() -> bytes:
    items = [
        {"id": str(i), "url": f"https://x.example/{i}00", "title": f"Ré {i}"} for i in range(3)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": items}
    return json.dumps(doc, ensure_ascii=False).encode()


def _with_title_2(value: str) -> bytes:
    """Return the whole feed with the third item's title written as ``value`` (JSON)."""
    return _whole_feed().replace('"Ré 2"'.encode(), value.encode())


def test_jsonfeed_cut_mid_item_reads_the_complete_items_and_says_the_break():
    body = _whole_feed()
    first_two = ["https://x.example/000", "https://x.example/100"]
    cuts = (
        body[: body.index(b"/200") + 3],  # a link cut short
        body[: body.index("Ré 2".encode()) + 2],  # mid-character: half of the é's bytes
        _with_title_2("true")[: body.index("Ré 2".encode()) + 1],  # in a literal: "tr"
        _with_title_2('"\\u00e9"')[: body.index("Ré 2".encode()) + 4],  # in an escape
    )
    for cut in cuts:
        parsed = parse_json_feed(cut, BASE + "f.json")
        assert [e.url for e in parsed.entries] == first_two
        assert (parsed.title, parsed.cut.locator, parsed.cut.code) == ("T", BASE + "f.json", "S115")
        assert "the 2 items complete before it are read" in parsed.cut.reason
        assert parsed.flawed is None
    whole = parse_json_feed(body, BASE + "f.json")
    assert (len(whole.entries), whole.cut) == (3, None)
    # cut before any item is whole, or before the items: nothing to read, the feed fails
    for cut in (body[: body.index(b"/000")], body[: body.index(b'"items"') + 4]):
        with pytest.raises(InputError) as info:
            parse_json_feed(cut, BASE + "f.json")
        assert info.value.code == "S115"


@pytest.mark.parametrize("tail", [b"\x00", b"\n<!-- cache -->", b"\n<html>"])
def test_jsonfeed_bytes_after_the_whole_document_are_no_error(tail):
    # a NUL or a cache's comment after the top-level object: every item read, no row at all
    parsed = parse_json_feed(_whole_feed() + tail, BASE + "f.json")
    assert [e.title for e in parsed.entries] == ["Ré 0", "Ré 1", "Ré 2"]
    assert (parsed.cut, parsed.flawed) == (None, None)


@pytest.mark.parametrize(
    ("good", "bad", "words"),
    [
        ('}, {"id": "2"', '} {"id": "2"', "expected ',' or ']'"),  # a comma missing
        ('"Ré 1"', '"Ré 1\\q"', "Invalid \\escape"),  # a bad escape in the second title
        ('"Ré 1"', '"Ré 1\udcff"', "bad utf-8 at byte"),  # a byte that is no UTF-8
    ],
)
def test_jsonfeed_error_mid_document_is_its_own_row_not_a_break(good, bad, words):
    encode = lambda text: text.encode("utf-8", "surrogateescape")  # noqa: E731 - \udcff: 0xFF
    body = _whole_feed().replace(encode(good), encode(bad))
    parsed = parse_json_feed(body, BASE + "f.json")
    assert parsed.cut is None  # not a dropped connection: the validators are kept
    assert (parsed.flawed.locator, parsed.flawed.code) == (BASE + "f.json", "S115")
    assert parsed.flawed.reason.startswith("bad JSON (")
    assert words in parsed.flawed.reason
    read = len(parsed.entries)
    assert f"the {read} items before it are read" in parsed.flawed.reason
    assert [e.url for e in parsed.entries] == [f"https://x.example/{i}00" for i in range(read)]


@pytest.mark.parametrize(
    ("title", "lone"),
    [
        (b"caf\\ud800", True),  # an escaped lone surrogate
        (b"caf\xed\xa0\x80", True),  # the UTF-8 bytes of one (json.loads takes them)
        (b"\\ud83d\\ude00", False),  # a pair: one emoji
        (b"\\\\ud800", False),  # a backslash, then the text "ud800"
        (b"caf\xc3\xa9", False),
    ],
)
def test_jsonfeed_lone_surrogate_found_by_one_scan_of_the_bytes(title, lone, monkeypatch):
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "' + title + b'", "items": []}'
    )
    asked = []
    real = jsonfeed_module.has_lone_surrogate
    monkeypatch.setattr(jsonfeed_module, "has_lone_surrogate", lambda d: asked.append(1) or real(d))
    if lone:
        with pytest.raises(InputError, match="lone UTF-16 surrogate") as info:
            parse_json_feed(body, BASE + "f.json")
        assert info.value.code == "S115"
    else:
        assert parse_json_feed(body, BASE + "f.json").title == json.loads(body)["title"]
    # the document is serialised only when its bytes hold a surrogate escape or its bytes
    assert asked == ([1] if b"\\u" in title or b"\xed" in title else [])
    # UTF-16 has no such bytes to scan: the document itself is asked
    utf16 = body.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass")
    with pytest.raises(InputError) if lone else contextlib.nullcontext():
        parse_json_feed(utf16, BASE + "f.json")
