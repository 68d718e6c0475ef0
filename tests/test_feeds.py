from __future__ import annotations

import gzip

import pytest
from typer.testing import CliRunner

from storyline import api
from storyline.cli.app import app
from storyline.errors import InputError, UsageError
from storyline.fetch import discover_feeds, parse_feed, parse_sitemap, sitemaps
from storyline.fetch.listings import parse_listing
from tests.conftest import REPO, settings_for

DATA = REPO / "tests" / "data" / "fetch"
BASE = "http://tessel.example/"
runner = CliRunner()


def test_feeds_rss_entries_carry_date_author_and_outlet():
    parsed = parse_feed((DATA / "feed.xml").read_bytes(), BASE + "feed.xml")
    assert parsed.title == "Tessel Gazette"
    first, second = parsed.entries
    assert first.url == BASE + "ferry-aground.html"  # relative links made absolute
    assert (first.published, first.author, first.outlet) == (
        "2026-05-04",
        "Mira Castell",
        "Tessel Gazette",
    )
    assert (second.title, second.author) == ("Harbour festival moves to June", "News Desk")
    assert {e.feed for e in parsed.entries} == {BASE + "feed.xml"}


def test_feeds_atom_entry():
    (entry,) = parse_feed((DATA / "atom.xml").read_bytes(), BASE + "atom.xml").entries
    assert entry.url == BASE + "ferry-inquiry.html"
    assert (entry.published, entry.author, entry.outlet) == (
        "2026-05-05",
        "Jon Pettersen",
        "Northwater Post",
    )


def test_feeds_truncated_feed_keeps_the_items_before_the_cut():
    parsed = parse_feed((DATA / "truncated.xml").read_bytes(), BASE + "t.xml")
    assert [e.url for e in parsed.entries] == [
        BASE + "ferry-refloated.html",
        BASE + "ferry-aground.html",
    ]
    # the break is the feed's own S115 row; a whole feed has none
    assert (parsed.cut.locator, parsed.cut.code) == (BASE + "t.xml", "S115")
    assert "the 2 items complete before it are read" in parsed.cut.reason
    assert parse_feed((DATA / "feed.xml").read_bytes(), BASE + "feed.xml").cut is None


_ITEMS = "".join(
    f"<item><title>S{i}</title><link>https://x.example/{i}00</link></item>" for i in range(3)
)
_ENTRIES = "".join(
    f'<entry><title>S{i}</title><id>urn:s:{i}</id><link href="https://x.example/{i}00"/></entry>'
    for i in range(3)
)
CUT_RSS = (
    f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{_ITEMS}</channel></rss>"
)
CUT_ATOM = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>{_ENTRIES}</feed>"


@pytest.mark.parametrize("doc", [CUT_RSS.encode(), CUT_ATOM.encode()])
def test_feeds_cut_mid_item_reads_the_complete_items_and_never_the_partial_one(doc):
    # the link of the third item cut short ("https://x.example/20") was read as a page
    cut = doc[: doc.index(b"example/200") + 10]
    parsed = parse_feed(cut, BASE + "f.xml")
    assert [e.url for e in parsed.entries] == ["https://x.example/000", "https://x.example/100"]
    assert parsed.skipped == ()  # nor is the partial item an entry without a link
    assert (parsed.cut.locator, parsed.cut.code) == (BASE + "f.xml", "S115")
    # bytes after the document's end (a server's timing comment) are no break
    whole = parse_feed(doc + b"<!-- served in 3 ms -->", BASE + "f.xml")
    assert (len(whole.entries), whole.cut) == (3, None)
    with pytest.raises(InputError) as info:  # cut before any item is whole: nothing read
        parse_feed(doc[: doc.index(b"example/000")], BASE + "f.xml")
    assert info.value.code == "S115"


def test_feeds_cut_is_found_by_the_xml_parser_not_by_the_bytes():
    # an "</item>" inside the cut item's CDATA is text, not its end: the item is not read
    code = "<item><title>How to write RSS</title><description><![CDATA[<pre>&lt;item&gt;</item>"
    doc = CUT_RSS.replace("</channel>", code + " more]]></description></item></channel>")
    cut = doc[: doc.index(" more") + 3].encode()
    parsed = parse_feed(cut, BASE + "f.xml")
    assert [e.title for e in parsed.entries] == ["S0", "S1", "S2"]
    assert parsed.skipped == ()  # no S103 "entry has no link" for the partial item
    assert "the 3 items complete before it are read" in parsed.cut.reason
    # a comment after the whole document that holds an "</item>" is no break
    whole = parse_feed(CUT_RSS.encode() + b"<!-- cached </item> -->", BASE + "f.xml")
    assert (len(whole.entries), whole.cut) == (3, None)
    # an HTML entity the feed never declares does not hide a break after it
    nbsp = CUT_RSS.replace("<title>S1</title>", "<title>S&nbsp;1</title>").encode()
    parsed = parse_feed(nbsp[: nbsp.index(b"example/200") + 10], BASE + "f.xml")
    assert ([e.title for e in parsed.entries], parsed.cut.code) == (["S0", "S\xa01"], "S115")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<title>S0</title>", "<title>S0 &amp; AT&T</title>"),  # an unescaped "&"
        ("<title>S0</title>", "<title>S0</title><description>a<br>b</description>"),  # raw HTML
        ("<?xml", "\n\n<?xml"),  # blank lines before the declaration (PHP)
    ],
)
def test_feeds_cut_after_an_xml_error_in_the_middle_is_still_a_cut(before, after):
    # the parser stops at the error; the rest is read by its end tags, so the partial third
    # item is never read and the break is said (it was taken as a whole feed, validators kept)
    doc = CUT_RSS.replace(before, after, 1).encode()
    parsed = parse_feed(doc[: doc.index(b"example/200") + 10], BASE + "f.xml")
    assert [e.url for e in parsed.entries] == ["https://x.example/000", "https://x.example/100"]
    assert (parsed.cut.code, "the 2 items complete" in parsed.cut.reason) == ("S115", True)
    whole = parse_feed(doc, BASE + "f.xml")  # the same feed whole: its root ends, no break
    assert (len(whole.entries), whole.cut) == (3, None)


def test_feeds_cut_in_the_channel_header_says_so():
    header = CUT_RSS[: CUT_RSS.index("<title>T") + 5].encode()
    with pytest.raises(InputError, match="breaks off before its first item"):
        parse_feed(header, BASE + "f.xml")
    first = CUT_RSS[: CUT_RSS.index("example/000")].encode()
    with pytest.raises(InputError, match="breaks off in its first item"):
        parse_feed(first, BASE + "f.xml")


@pytest.mark.parametrize(
    "body",
    [
        (DATA / "malformed.xml").read_bytes(),
        b"",
        b"\x00\x01\x02binary",
        (DATA / "ferry-aground.html").read_bytes(),
    ],
)
def test_feeds_non_feed_is_rejected_with_s115(body):
    with pytest.raises(InputError) as info:
        parse_feed(body, BASE + "bad.xml")
    assert info.value.code == "S115"


def test_feeds_entries_without_http_links_are_dropped():
    body = b"""<rss version="2.0"><channel><title>T</title>
    <item><title>a</title><link>javascript:alert(1)</link></item>
    <item><title>b</title><link>ftp://x.example/b</link></item>
    <item><title>c</title><link>https://x.example/c</link></item>
    <item><title>c again</title><link>https://x.example/c</link></item>
    </channel></rss>"""
    assert [e.url for e in parse_feed(body, BASE).entries] == ["https://x.example/c"]


def test_feeds_discovery_reads_link_alternate():
    html = (DATA / "index.html").read_text(encoding="utf-8")
    assert discover_feeds(html, BASE) == [BASE + "feed.xml", BASE + "atom.xml"]
    assert discover_feeds("<html><head><link rel=stylesheet href=a.css></head></html>", BASE) == []


def test_feeds_news_sitemap_gives_title_date_and_outlet():
    parsed = parse_sitemap((DATA / "news-sitemap.xml").read_bytes(), BASE + "news-sitemap.xml")
    festival, inquiry = parsed.entries
    assert festival.url == BASE + "undated.html"
    assert (festival.title, festival.published, festival.outlet) == (
        "Harbour festival moves to June",
        "2026-05-01",
        "Tessel Gazette",
    )
    # lastmod is a change date, not a publication date: kept apart
    assert (inquiry.published, inquiry.updated) == (None, "2026-05-05")


def test_feeds_sitemap_index_lists_children_and_gzip_is_read():
    index = parse_sitemap((DATA / "sitemap-index.xml").read_bytes(), BASE + "sitemap-index.xml")
    assert (index.entries, index.children) == ((), (BASE + "news-sitemap.xml",))
    zipped = gzip.compress((DATA / "news-sitemap.xml").read_bytes())
    assert len(parse_sitemap(zipped, BASE + "s.xml.gz").entries) == 2


def test_feeds_truncated_sitemap_keeps_complete_entries_and_garbage_is_s115():
    body = (DATA / "news-sitemap.xml").read_bytes()
    cut = body[: body.index(b"<loc>/ferry-inquiry.html")]
    parsed = parse_sitemap(cut, BASE)
    assert [e.url for e in parsed.entries] == [BASE + "undated.html"]
    assert (parsed.cut.locator, parsed.cut.code) == (BASE, "S115")  # said, as for a feed
    assert parse_sitemap(body, BASE).cut is None
    for bad in (b"<urlset", b"<html><body>no</body></html>", (DATA / "malformed.xml").read_bytes()):
        with pytest.raises(InputError) as info:
            parse_sitemap(bad, BASE)
        assert info.value.code == "S115"


_URLS = "".join(f"<url><loc>https://x.example/{i}00</loc></url>" for i in range(3))
WHOLE_SITEMAP = (
    "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
    f"{_URLS}</urlset>"
).encode()


@pytest.mark.parametrize("tail", [b"\n\x00", b"<!-- cache --><script>1</script>", b"\n  \n"])
def test_feeds_sitemap_with_bytes_after_its_root_is_whole(tail):
    # a NUL or a server's HTML after </urlset> is not part of the sitemap: no break, no row
    parsed = parse_sitemap(WHOLE_SITEMAP + tail, BASE + "s.xml")
    assert [e.url for e in parsed.entries] == [f"https://x.example/{i}00" for i in range(3)]
    assert (parsed.cut, parsed.flawed) == (None, None)


def test_feeds_sitemap_error_mid_document_is_its_own_row_not_a_break():
    # an unescaped "&" in the second <loc>: the first entry is read, the error said in the
    # parser's words (S115), and it is no dropped connection (validators are kept)
    body = WHOLE_SITEMAP.replace(b"100</loc>", b"100?a=1&b=2</loc>")
    parsed = parse_sitemap(body, BASE + "s.xml")
    assert [e.url for e in parsed.entries] == ["https://x.example/000"]
    assert parsed.cut is None
    assert (parsed.flawed.locator, parsed.flawed.code) == (BASE + "s.xml", "S115")
    assert parsed.flawed.reason.startswith("not well-formed (not well-formed (invalid token)")
    assert "breaks off" not in parsed.flawed.reason
    # the same document cut in its third <url>: a break, with the two complete entries
    cut = parse_sitemap(WHOLE_SITEMAP[: WHOLE_SITEMAP.index(b"example/200") + 4], BASE)
    assert (len(cut.entries), cut.flawed, cut.cut.code) == (2, None, "S115")
    assert "the 2 items complete before it are read" in cut.cut.reason


def test_feeds_gzip_sitemap_over_the_size_limit_is_s106_not_a_break(monkeypatch):
    monkeypatch.setattr(sitemaps, "_MAX_UNZIPPED", WHOLE_SITEMAP.index(b"example/200"))
    parsed = parse_sitemap(gzip.compress(WHOLE_SITEMAP), BASE + "s.xml.gz")
    assert len(parsed.entries) == 2
    assert (parsed.cut, parsed.flawed.code) == (None, "S106")
    assert "unzips to over" in parsed.flawed.reason
    assert "the 2 items before it are read" in parsed.flawed.reason


def test_feeds_sitemap_entity_expansion_is_not_a_bomb():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>'
        b"<urlset><url><loc>&g;</loc></url></urlset>"
    )
    with pytest.raises(InputError) as info:
        parse_sitemap(bomb, BASE)
    assert info.value.code == "S115"


def test_feeds_add_discovers_a_sites_feeds(fetch_server, tmp_path):
    with api.open(tmp_path / "s.db", settings=settings_for(tmp_path)) as ws:
        added = ws.add_feeds(fetch_server.url("/"))
        again = ws.add_feeds(fetch_server.url("/feed.xml"))
        sitemap = ws.add_feeds(fetch_server.url("/sitemap-index.xml"))
        rows = ws.feeds()
    assert added == [
        (fetch_server.url("/feed.xml"), "feed", True),
        (fetch_server.url("/atom.xml"), "feed", True),
    ]
    assert again == [(fetch_server.url("/feed.xml"), "feed", False)]
    assert sitemap == [(fetch_server.url("/sitemap-index.xml"), "sitemap", True)]
    assert [(r.url, r.kind, r.site) for r in rows] == [
        (fetch_server.url("/feed.xml"), "feed", fetch_server.url("/")),
        (fetch_server.url("/atom.xml"), "feed", fetch_server.url("/")),
        (fetch_server.url("/sitemap-index.xml"), "sitemap", None),
    ]


def test_feeds_add_page_without_feeds_is_a_usage_error(fetch_server, tmp_path):
    with api.open(tmp_path / "s.db", settings=settings_for(tmp_path)) as ws:
        with pytest.raises(UsageError, match="no RSS/Atom feed, JSON Feed or sitemap"):
            ws.add_feeds(fetch_server.url("/ferry-aground.html"))
        with pytest.raises(UsageError, match="S112"):
            ws.add_feeds(fetch_server.url("/status/404"))
        assert ws.feeds() == []


def test_feeds_parse_listing_goes_by_content():
    class Fake:
        url = BASE + "x"
        body = (DATA / "news-sitemap.xml").read_bytes()

    assert len(parse_listing(Fake(), "feed").entries) == 2


def test_feeds_cli_add_list_remove(fetch_server, tmp_path):
    config = tmp_path / "fetch.toml"
    config.write_text(f'[fetch]\nallow_private = true\narchive_dir = "{tmp_path / "w"}"\n')
    db = str(tmp_path / "s.db")
    added = runner.invoke(
        app, ["feeds", "add", fetch_server.url("/"), "--db", db, "--config", str(config)]
    )
    assert added.exit_code == 0, added.output
    assert f"added: {fetch_server.url('/feed.xml')} (feed)" in added.output
    listed = runner.invoke(app, ["feeds", "list", "--db", db])
    assert listed.exit_code == 0
    assert "never polled" in listed.output
    removed = runner.invoke(app, ["feeds", "remove", fetch_server.url("/atom.xml"), "--db", db])
    assert removed.exit_code == 0
    with api.open(db) as ws:
        assert [f.url for f in ws.feeds()] == [fetch_server.url("/feed.xml")]
    missing = runner.invoke(app, ["feeds", "remove", fetch_server.url("/atom.xml"), "--db", db])
    assert missing.exit_code != 0
