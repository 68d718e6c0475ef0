"""Every reader obeys one rule for a stated publication date (issue #21, item 4).

A date is a day only when the source states that day unambiguously; otherwise a month or a year,
or none, with the reason in ``published_note``. "12/11/10" is 12 November 2010, 11 December 2010
or 10 November 2012: no year is sure. A capture time (WARC-Date, HTTP Last-Modified, fetch time)
is never the publication date. Checked on CSV, JSONL, an HTML meta tag, RSS and Atom entries and
WARC records, through the public API (and the installed script for its exit code).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import storyline
from storyline.fetch.feeds import parse_feed
from storyline.fetch.sitemaps import parse_sitemap
from storyline.ingest.published import date_order, read_published
from storyline.watch.cycle import poll
from tests.conftest import FETCH_TIMEOUT, REPO, settings_for
from tests.data.fetch.server import FetchServer

if TYPE_CHECKING:
    from storyline.models import CleanArticle

AMBIGUOUS, YEAR, ISO = "12/11/10", "2010", "2015-03-10T23:30:00-05:00"
NOTE = "published_note"
# what each stated string is stored as: (published, precision, a word of the note or None)
EXPECTED = {
    AMBIGUOUS: (None, None, "order of day, month and year is not stated"),
    YEAR: ("2010-01-01", "year", None),
    ISO: ("2015-03-10", "day", None),  # the writer's own day, not UTC's 11 March
}
TOPICS = {
    AMBIGUOUS: "The ferry company cancelled the morning crossing after a storm damaged the pier.",
    YEAR: "The council approved a new library for the harbour district after a long debate.",
    ISO: "Fishermen protested outside the port authority over the new quota for cod.",
}


def _by_topic(articles: list[CleanArticle]) -> dict[str, CleanArticle]:
    return {
        date: next(a for a in articles if topic[:20] in a.text) for date, topic in TOPICS.items()
    }


def _assert_stated(articles: list[CleanArticle]) -> None:
    for date, article in _by_topic(articles).items():
        published, precision, note = EXPECTED[date]
        assert article.published == published, date
        if published is not None:
            assert article.published_precision == precision, date
            assert article.published_source == "metadata"
        else:
            assert article.published_source == "unknown"
        if note is None:
            assert NOTE not in article.meta, date
        else:
            assert note in article.meta[NOTE]
            assert repr(date) in article.meta[NOTE]


def _page(topic: str, head: str = "") -> str:
    body = " ".join([topic] * 4)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}"
        f"<title>{topic[:30]}</title></head><body><article><h1>{topic[:30]}</h1>"
        f"<p>{body}</p><p>{body}</p></article></body></html>"
    )


def _meta_page(date: str) -> str:
    return _page(TOPICS[date], f'<meta property="article:published_time" content="{date}">')


def test_one_reader_keeps_only_what_a_string_states() -> None:
    assert read_published(AMBIGUOUS).value is None
    assert read_published("03/04/2015").value == "2015"  # either order: the same year
    assert read_published("13/04/2015").value == "2015-04-13"  # only one order is a date
    assert read_published("31/12/99").value == "1999-12-31"  # 31 is no month, 99 no day
    assert read_published("2015/03/04").value == "2015-03-04"  # a year first is ISO's order
    assert read_published("10/11/10").value == "2010"  # each order gives 2010
    assert read_published("2015-03").precision == "month"
    assert read_published(YEAR).precision == "year"
    assert "not stated" in (read_published(AMBIGUOUS).note or "")


def test_csv_and_jsonl_rows_keep_only_the_stated_date(tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "text": TOPICS[d], "published": d} for i, d in enumerate(TOPICS)]
    table = tmp_path / "rows.csv"
    with table.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["id", "text", "published"])
        writer.writeheader()
        writer.writerows(rows)
    lines = tmp_path / "rows.jsonl"
    lines.write_text("".join(json.dumps(r | {"id": "j" + r["id"]}) + "\n" for r in rows))
    for path in (table, lines):
        with storyline.open(tmp_path / f"{path.suffix[1:]}.db") as workspace:
            summary = workspace.ingest([path])
            assert summary.rejected == ()
            _assert_stated(workspace.articles())


def _script() -> Path:
    path = Path(sys.executable).with_name("storyline")
    if not path.exists():
        pytest.skip(f"no storyline script beside {sys.executable}: pip install -e .")
    return path


def test_installed_script_stores_an_ambiguous_date_as_none_and_rejects_no_date(tmp_path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"id": "a", "text": TOPICS[AMBIGUOUS], "published": AMBIGUOUS})
        + "\n"
        + json.dumps({"id": "b", "text": TOPICS[ISO], "published": "2015-13-45"})
        + "\n"
    )
    db = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [str(_script()), "ingest", str(rows), "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    # the row with no date at all is rejected (exit 3); the ambiguous one is kept, undated
    assert done.returncode == 3, done.stderr
    assert "S111" in done.stdout + done.stderr
    with storyline.open(db) as workspace:
        (article,) = workspace.articles()
    assert (article.id, article.published) == ("a", None)
    assert "'12/11/10'" in article.meta[NOTE]


def test_html_meta_tag_dates_keep_only_what_they_state(tmp_path: Path) -> None:
    paths = []
    for i, date in enumerate(TOPICS):
        path = tmp_path / f"page{i}.html"
        path.write_text(_meta_page(date), encoding="utf-8")
        paths.append(path)
    with storyline.open(tmp_path / "h.db") as workspace:
        workspace.ingest(paths)
        _assert_stated(workspace.articles())


def test_html_month_only_meta_tag_is_no_day_of_this_month(tmp_path: Path) -> None:
    # htmldate filled "2010-03" with today's day of the month
    page = tmp_path / "m.html"
    page.write_text(_page(TOPICS[YEAR], '<meta name="date" content="2010-03">'))
    with storyline.open(tmp_path / "m.db") as workspace:
        workspace.ingest([page])
        (article,) = workspace.articles()
    assert (article.published, article.published_precision) == ("2010-03-01", "month")


def _warc(path: Path, pages: list[str]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i, html in enumerate(pages):
            # capture times that must never become the publication date
            headers = StatusAndHeaders(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Last-Modified", "Mon, 04 May 2026 10:00:00 GMT"),
                ],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                f"https://post.example/story{i}",
                "response",
                payload=io.BytesIO(html.encode()),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2026-05-05T10:00:00Z"},
            )
            writer.write_record(record)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # warcio's spool
def test_warc_records_keep_only_the_page_stated_date(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    _warc(path, [_meta_page(date) for date in TOPICS])
    with storyline.open(tmp_path / "w.db") as workspace:
        workspace.ingest([path])
        articles = workspace.articles()
    _assert_stated(articles)
    assert all(not (a.published or "").startswith("2026") for a in articles)


def _feeds(folder: Path) -> None:
    items, entries = [], []
    for i, (date, topic) in enumerate(TOPICS.items()):
        (folder / f"story{i}.html").write_text(_page(topic), encoding="utf-8")
        items.append(
            f"<item><title>{topic[:30]}</title><link>/story{i}.html</link>"
            f"<pubDate>{date}</pubDate></item>"
        )
        entries.append(
            f"<entry><title>{topic[:30]}</title><link href='/story{i}.html'/>"
            f"<id>urn:{i}</id><published>{date}</published></entry>"
        )
    (folder / "rss.xml").write_text(
        f"<rss version='2.0'><channel><title>Port News</title>{''.join(items)}</channel></rss>"
    )
    (folder / "atom.xml").write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>Port News</title>"
        f"{''.join(entries)}</feed>"
    )


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml"])
def test_feed_entries_keep_only_the_stated_date(tmp_path: Path, feed: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _feeds(site)
    settings = settings_for(tmp_path, timeout=FETCH_TIMEOUT)
    with FetchServer(site) as server, storyline.open(tmp_path / "f.db", settings=settings) as ws:
        ws.add_feeds(server.url(f"/{feed}"))
        with ws.fetcher() as fetcher:
            report = poll(ws, fetcher, run_stages=False)
        assert report.summary.stored == len(TOPICS)
        articles = ws.articles()
    # the page states no date and the server's Last-Modified is no publication date
    _assert_stated(articles)


def test_news_sitemap_keeps_a_stated_month_or_year() -> None:
    entry = (
        "<url><loc>https://port.example/a</loc><news:news><news:publication_date>{}"
        "</news:publication_date></news:news></url>"
    )
    body = (
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
        + entry.format("2015-03").replace("/a<", "/m<")
        + entry.format("2010")
        + "</urlset>"
    )
    parsed = parse_sitemap(body.encode(), "https://port.example/s")
    found = {e.url[-1]: e.published for e in parsed.entries}
    assert found == {"m": "2015-03", "a": "2010"}  # both were dropped (no day in them)


def test_an_offset_of_a_day_or_more_loses_no_page_and_dates_no_entry(tmp_path: Path) -> None:
    bad = "2015-03-10T10:00:00+25:00"
    page = tmp_path / "o.html"
    page.write_text(_page(TOPICS[ISO], f'<meta property="article:published_time" content="{bad}">'))
    with storyline.open(tmp_path / "o.db") as workspace:
        summary = workspace.ingest([page])  # htmldate raised ValueError: the page was lost
        assert summary.rejected == ()
        (article,) = workspace.articles()
    assert "cod" in article.text
    doc = (
        "<rss version='2.0'><channel><title>T</title><item><link>http://x.example/a</link>"
        f"<pubDate>{bad}</pubDate></item></channel></rss>"
    )
    (entry,) = parse_feed(doc.encode(), "http://x.example/feed").entries
    assert entry.published is None  # feedparser read it as 9 March (25 hours back)


@pytest.mark.parametrize(
    ("snippet", "published"),
    [
        ("<p>Posted 03/04/2015 by Ann Lee</p>", "2015"),  # htmldate: 3 April (day first)
        ("<p>Posted on 12/11/10</p>", None),  # htmldate: 12 November 2010
        ("<p>Posted 13/04/2015 by Ann Lee</p>", "2015-04-13"),  # one order only
        # the same day written year first in JSON-LD: the day is stated
        (
            (
                '<script type="application/ld+json">{"@type": "NewsArticle", '
                '"datePublished": "2015-04-03"}</script><p>Posted 03/04/2015</p>'
            ),
            "2015-04-03",
        ),
    ],
)
def test_html_text_dates_keep_only_what_they_state(snippet: str, published: str | None) -> None:
    page = _page(TOPICS[YEAR]).replace("<article>", snippet + "<article>")
    raw = storyline.ingest.html.read_html(page.encode(), "t.html")
    assert raw.published == published
    assert (NOTE in raw.meta) == (published is None or len(published) == 4)


def test_a_stated_language_states_the_order_of_the_numbers(tmp_path: Path) -> None:
    # CLDR's order (dateparser's locale data): German writes day first, Japanese year first
    assert read_published("03.04.2015", date_order("de")).value == "2015-04-03"
    assert read_published("12/11/10", date_order("ja")).value == "2012-11-10"
    assert read_published("12/11/10", date_order("en-US")).value == "2010-12-11"
    assert date_order("en") is None  # US, UK and India write it differently: no order
    german = _page(TOPICS[ISO], '<meta name="date" content="03.05.2013">').replace(
        "lang='en'", "lang='de'"
    )
    assert storyline.ingest.html.read_html(german.encode(), "de.html").published == "2013-05-03"
    rows = tmp_path / "de.jsonl"
    row = {"id": "d", "text": TOPICS[ISO], "published": "03.04.2015 10:00", "language": "de"}
    rows.write_text(json.dumps(row) + "\n" + json.dumps(row | {"id": "n", "language": None}))
    with storyline.open(tmp_path / "de.db") as workspace:
        workspace.ingest([rows])
        stored = {a.id: a for a in workspace.articles()}
    assert (stored["d"].published, stored["d"].published_precision) == ("2015-04-03", "day")
    assert stored["n"].published_precision == "year"  # no language: either order
    doc = (
        "<rss version='2.0'><channel><title>T</title><language>de-de</language><item>"
        "<link>http://x.example/a</link><pubDate>03.04.2015</pubDate></item></channel></rss>"
    )
    (entry,) = parse_feed(doc.encode(), "http://x.example/feed").entries
    assert entry.published == "2015-04-03"
