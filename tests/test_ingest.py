from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline import errors
from storyline.ingest import format_of, read_file, read_paths, sniff_format
from storyline.models import RawArticle, Rejected
from tests.conftest import shared_path

HTML = """<!doctype html><html><head><title>Bridge closes after cracks found</title>
<meta property="og:site_name" content="Ostrava Daily Post">
<meta property="article:published_time" content="2026-03-10T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Bridge closes after cracks found</h1>
<p>The council voted on Tuesday to close the old bridge after engineers found deep cracks in two of its piers, officials said.</p>
<p>"We had no choice," said Mayor Lena Brook. "The cracks were spreading faster than anyone expected."</p>
<p>Engineers will inspect the structure again next month, according to the council, and a ferry will run in the meantime.</p>
</article><footer>Copyright 2026</footer></body></html>"""


def _only(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


def test_ingest_text_headline_and_body(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text(
        "Bridge closes\nThe council voted to close the bridge.\nMore text.", encoding="utf-8"
    )
    article = _only(read_file(path))
    assert isinstance(article, RawArticle)
    assert article.title == "Bridge closes"
    assert article.text == "The council voted to close the bridge.\nMore text."
    assert article.format == "txt"
    assert article.locator == str(path)


def test_ingest_text_detects_legacy_encoding_and_repairs_mojibake(tmp_path: Path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(
        "Café reopens\nThe café in Zürich reopened on Monday, its owner said.".encode("cp1252")
    )
    assert "Zürich" in _only(read_file(latin)).text
    mojibake = tmp_path / "moji.txt"
    mojibake.write_text("Café reopens\nThe cafÃ© reopened on Monday.", encoding="utf-8")
    assert "café reopened" in _only(read_file(mojibake)).text


def test_ingest_html_body_and_metadata(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    article = _only(read_file(path))
    assert isinstance(article, RawArticle)
    assert article.title == "Bridge closes after cracks found"
    assert article.source == "Ostrava Daily Post"
    assert article.published == "2026-03-10"
    assert article.published_source == "metadata"
    assert "deep cracks in two of its piers" in article.text
    assert "Home" not in article.text


def test_ingest_jsonl_good_rows_survive_a_malformed_line(tmp_path: Path):
    path = tmp_path / "rows.jsonl"
    good = {
        "id": "a1",
        "title": "T",
        "text": "Body one.",
        "published": "2026-03-10",
        "section": "City",
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "a2", "title": "T2"}),
        json.dumps({"id": 7, "text": "Body two."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejected", "Rejected", "RawArticle"]
    assert items[0].id == "a1"
    assert items[0].meta == {"section": "City"}
    assert items[0].published == "2026-03-10"
    assert (items[1].code, items[1].locator) == (errors.MALFORMED_JSONL, f"{path}:2")
    assert (items[2].code, items[2].locator) == (errors.MISSING_FIELD, f"{path}:3")
    assert items[3].id == "7"


def test_ingest_jsonl_gzip(tmp_path: Path):
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps({"id": "z", "text": "Zipped body."}).encode()))
    assert _only(read_file(path)).text == "Zipped body."


def test_ingest_jsonl_bad_date_is_rejected_with_code(tmp_path: Path):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        json.dumps({"text": "Body.", "published": "yesterday-ish"}) + "\n", encoding="utf-8"
    )
    assert _only(read_file(path)).code == errors.INVALID_FIELD


def test_ingest_csv_rows(tmp_path: Path):
    path = tmp_path / "rows.csv"
    path.write_text(
        'id,title,text,source\nc1,Title,"Body, with comma.",Post\nc2,No text,,Post\n',
        encoding="utf-8",
    )
    items = list(read_file(path))
    assert items[0].id == "c1"
    assert items[0].text == "Body, with comma."
    assert items[0].source == "Post"
    assert items[1].code == errors.MISSING_FIELD
    assert items[1].locator.endswith(":3")


def test_ingest_csv_without_text_column(tmp_path: Path):
    path = tmp_path / "rows.csv"
    path.write_text("id,title\n1,x\n", encoding="utf-8")
    assert _only(read_file(path)).code == errors.MISSING_FIELD


def _warc(path: Path, html: str) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            "https://post.example/bridge",
            "response",
            payload=io.BytesIO(html.encode()),
            http_headers=headers,
        )
        writer.write_record(record)


# warcio's writer leaves a spooled temp file for the garbage collector (test helper only)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_ingest_warc_html_records(tmp_path: Path):
    path = tmp_path / "crawl.warc.gz"
    _warc(path, HTML)
    article = _only(read_file(path))
    assert isinstance(article, RawArticle)
    assert article.url == "https://post.example/bridge"
    assert "deep cracks" in article.text
    assert "@" in article.locator


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", errors.EMPTY_INPUT),
        ("blank.txt", b"  \n\n ", errors.EMPTY_INPUT),
        ("binary.txt", bytes(range(256)) * 4, errors.BINARY_INPUT),
        ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(200), errors.BINARY_INPUT),
        ("headline.txt", b"Only a headline\n", errors.NO_ARTICLE_TEXT),
        (
            "truncated.html",
            b"<html><head><title>x</title></head><body><div><p>Cut o",
            errors.NO_ARTICLE_TEXT,
        ),
        ("doc.pdf", b"%PDF-1.4 some text", errors.UNKNOWN_FORMAT),
        ("empty.warc", b"WARC/1.0\r\nnonsense", errors.NO_ARTICLE_TEXT),
        ("broken.warc.gz", b"\x1f\x8b\x08\x00garbage-not-gzip", errors.MALFORMED_WARC),
    ],
)
def test_ingest_bad_input_gives_rejected_with_code(tmp_path: Path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    item = _only(read_file(path, fmt="txt" if name == "image.png" else "auto"))
    assert isinstance(item, Rejected)
    assert item.code == code
    assert item.locator.startswith(str(path))


def test_ingest_undecodable_bytes(tmp_path: Path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"text": "ok"}\n' + b'{"text": "\xff\xfe\xfa"}\n')
    items = list(read_file(path))
    assert isinstance(items[0], RawArticle)
    assert items[1].code == errors.UNDECODABLE


def test_ingest_size_limit(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_text("Headline\n" + "word " * 100, encoding="utf-8")
    assert _only(read_file(path, max_bytes=100)).code == errors.TOO_LARGE


def test_ingest_missing_path_and_folder_walk(tmp_path: Path):
    (tmp_path / "a.txt").write_text("A\nBody a.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("H\nhidden", encoding="utf-8")
    items = list(read_paths([tmp_path, tmp_path / "missing.txt"]))
    assert [i.title for i in items if isinstance(i, RawArticle)] == ["A"]
    assert [i.code for i in items if isinstance(i, Rejected)] == [errors.MISSING_PATH]


def test_ingest_format_detection():
    assert format_of(Path("x.warc.gz")) == "warc"
    assert format_of(Path("x.JSONL")) == "jsonl"
    assert format_of(Path("x.bin")) is None
    assert sniff_format(b"WARC/1.0\r\n") == "warc"
    assert sniff_format(b"  <!DOCTYPE html><html>") == "html"
    assert sniff_format(b'{"text": "x"}') == "jsonl"
    assert sniff_format(b"Plain headline") is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".txt", ".html", ".jsonl", ".csv", ".warc", ""]),
)
def test_ingest_arbitrary_bytes_never_crash(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    items = list(read_file(path))
    assert items, "every input yields an article or a Rejected row"
    for item in items:
        assert isinstance(item, RawArticle | Rejected)
        if isinstance(item, Rejected):
            assert item.code.startswith("S1")


def test_ingest_manifest_rows_read_their_file_with_the_rows_metadata(tmp_path: Path):
    (tmp_path / "harbour.txt").write_text(
        "Ferry strike ends\nThe Nordhavn ferry crews went back to work on Monday.\n"
    )
    (tmp_path / "bridge.txt").write_text(
        "Bridge reopens\nThe Kessel bridge reopened to traffic on Tuesday.\n"
    )
    manifest = [
        {"id": "h1", "file": "harbour.txt", "published": "2031-05-06", "source": "Coast Post"},
        {"id": "m1", "file": "missing.txt", "published": "2031-05-07"},
    ]
    (tmp_path / "metadata.jsonl").write_text("\n".join(json.dumps(r) for r in manifest) + "\n")

    found = list(read_paths([tmp_path]))

    articles = {a.id: a for a in found if isinstance(a, RawArticle)}
    rejected = [r for r in found if isinstance(r, Rejected)]
    # harbour.txt is read once, through its manifest row; bridge.txt on its own.
    assert len(articles) == 2
    harbour = articles["h1"]
    assert harbour.title == "Ferry strike ends"
    assert (harbour.published, harbour.published_source) == ("2031-05-06", "metadata")
    assert harbour.source == "Coast Post"
    assert harbour.locator.endswith("harbour.txt")
    bridge = next(a for a in articles.values() if a.id != "h1")
    assert bridge.published is None
    assert [(r.code, r.locator.endswith("metadata.jsonl:2")) for r in rejected] == [
        (errors.MISSING_PATH, True)
    ]


def test_ingest_seed_folder_takes_dates_from_its_metadata_jsonl():
    seeds = shared_path("seeds")
    found = list(read_paths([seeds]))
    assert all(isinstance(a, RawArticle) for a in found)
    published = {a.id: a.published for a in found if isinstance(a, RawArticle)}
    assert len(published) == 5
    assert published["004_7aa8f7395ba31277"] == "2015-10-21"
