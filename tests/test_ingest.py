from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import socket
import tracemalloc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import storyline
from storyline import errors
from storyline.config import load_settings
from storyline.ingest import format_of, read_file, read_paths, sniff_format
from storyline.ingest import html as html_reader
from storyline.ingest.files import locator_of, path_of
from storyline.ingest.html import read_html
from storyline.models import RawArticle, Rejected
from storyline.pipeline import ingest
from storyline.web.app import create_app
from tests.conftest import BACKENDS, EXAMPLES, shared_path, store_url

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


def test_ingest_jsonl_keeps_cjk_full_width_punctuation(tmp_path: Path):
    # ftfy's width fix would make "，" ","; a CJK row keeps its text as written (repair_text)
    text = "记者：张伟（实习）报道，地铁将于明年开通！"
    path = tmp_path / "rows.jsonl"
    row = {"id": "zh", "title": "地铁（三号线）", "text": f"{text}\nＬＯＵＤ"}
    path.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    item = _only(read_file(path))
    assert item.text == f"{text}\nLOUD"
    assert item.title == "地铁（三号线）"


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
    # notes.md is text now: a headline with no body is its own row, not a silent skip
    assert [i.code for i in items if isinstance(i, Rejected)] == [
        errors.NO_ARTICLE_TEXT,
        errors.MISSING_PATH,
    ]


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


# -- hostile input (issue #16 rows 1, 6, 7, 12) ---------------------------------------------

BODY = "Ferry strike ends\nThe Nordhavn ferry crews went back to work on Monday, the union said.\n"


def _codes(items) -> list[str]:
    return [i.code for i in items if isinstance(i, Rejected)]


def test_ingest_undecodable_file_name_is_stored_readably_and_reruns_are_idempotent(
    tmp_path: Path, store
):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(BODY)
    bad = folder / os.fsdecode(b"bad\xffname.txt")
    bad.write_text("Bridge reopens\nThe Kessel bridge reopened to traffic on Tuesday.\n")
    settings = load_settings()

    first = ingest(store, [folder], settings=settings)
    again = ingest(store, [folder], settings=settings)

    assert (first.stored, first.rejected) == (2, ())
    assert (again.stored, again.unchanged, again.rejected) == (0, 2, ())
    locators = sorted(a.locator for a in store.articles())
    assert locators == sorted([str(folder / "good.txt"), f"{folder}/bad\\xffname.txt"])
    assert path_of(locators[0]) == str(bad)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=12), min_size=1, max_size=3))
@example([b"a\\xff", b"b\xff"])  # a real backslash-x name next to a real 0xff byte
@example([b"a\\", b"\\u00e9"])
def test_ingest_locators_are_text_and_reversible(parts):
    name = os.fsdecode(b"/".join(p.replace(b"/", b"_").replace(b"\0", b"_") for p in parts))
    locator = locator_of(name)
    locator.encode("utf-8")  # no lone surrogate left: any store accepts it
    assert path_of(locator) == name
    if b"\\" not in b"".join(parts):
        assert locator == name.encode("utf-8", "surrogateescape").decode(
            "utf-8", "backslashreplace"
        )


def test_ingest_store_accepts_internal_errors_at_undecodable_names(store):
    item = store.record_internal_error(os.fsdecode(b"/x/bad\xff.txt"), ValueError("boom"))
    assert (item.locator, item.code) == ("/x/bad\\xff.txt", errors.INTERNAL)


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "/no/such/file.txt", "../outside.txt", "../missing.txt", "sub/../../x.txt"],
)
def test_ingest_manifest_refuses_files_outside_its_folder(tmp_path: Path, name: str):
    (tmp_path / "outside.txt").write_text(BODY)
    folder = tmp_path / "feed"
    (folder / "sub").mkdir(parents=True)
    (folder / "metadata.jsonl").write_text(json.dumps({"file": name, "id": "x"}) + "\n")

    items = list(read_paths([folder]))

    assert [(type(i), i.code) for i in items] == [(Rejected, errors.FILE_REFUSED)]
    # the answer is the same whether the outside path exists: nothing to probe with
    assert items[0].reason == f"file {name!r} is not inside the manifest's folder"


def test_ingest_manifest_refuses_a_symlink_that_leads_out(tmp_path: Path):
    (tmp_path / "secret.txt").write_text(BODY)
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "inner.txt").write_text(BODY)
    (folder / "alias.txt").symlink_to(folder / "inner.txt")
    rows = [{"file": "link.txt", "id": "out"}, {"file": "alias.txt", "id": "in"}]
    (folder / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    items = list(read_file(folder / "metadata.jsonl"))

    assert [(type(i), getattr(i, "id", None) or i.code) for i in items] == [
        (Rejected, errors.FILE_REFUSED),
        (RawArticle, "in"),
    ]


def test_ingest_upload_never_reads_a_manifest_file(tmp_path: Path, store):
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret plans\nThe server's own file must never be stored or served.\n")
    client = TestClient(create_app(store, allow_ingest=True))
    rows = [{"file": str(secret)}, {"file": "secret.txt"}, {"text": "A real upload row."}]
    body = "".join(json.dumps(r) + "\n" for r in rows).encode()

    result = client.post("/api/ingest", content=body).json()

    assert (result["read"], result["stored"]) == (1, 1)
    assert [r["code"] for r in result["rejected"]] == [errors.FILE_REFUSED] * 2
    assert all("Secret" not in a.title for a in store.articles())


def _peak_bytes(read) -> tuple[list, int]:
    tracemalloc.start()
    try:
        items = list(read())
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ingest_gzip_jsonl_bomb_is_rejected_while_reading(tmp_path: Path):
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb") as f:
        f.write(b'{"text": "' + b"a" * 64_000_000 + b'"}\n')
        f.write(b'{"text": "The good line after the bomb is kept."}\n')
    assert path.stat().st_size < 200_000

    items, peak = _peak_bytes(lambda: read_file(path, max_bytes=1_000_000))

    assert _codes(items) == [errors.TOO_LARGE]
    assert [i.text for i in items if isinstance(i, RawArticle)] == [
        "The good line after the bomb is kept."
    ]
    assert peak < 8_000_000  # bounded by max_bytes (1 MB), not by the 64 MB line


def test_ingest_gzip_csv_bomb_field_is_rejected_while_reading(tmp_path: Path):
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as f:
        f.write(b'title,text\nGood,"A good row before."\nBomb,"')
        for _ in range(64):
            f.write(b"b" * 999_999 + b"\n")  # one quoted field over many lines
        f.write(b'"\n')

    items, peak = _peak_bytes(lambda: read_file(path, max_bytes=1_000_000))

    assert [i.text for i in items if isinstance(i, RawArticle)] == ["A good row before."]
    assert _codes(items) == [errors.TOO_LARGE]
    assert peak < 8_000_000


@pytest.mark.parametrize("suffix", [".txt.gz", ".html.gz"])
def test_ingest_gzipped_text_and_html_are_read_and_bounded(tmp_path: Path, suffix: str):
    content = HTML.encode() if suffix == ".html.gz" else BODY.encode()
    path = tmp_path / f"page{suffix}"
    path.write_bytes(gzip.compress(content))
    bomb = tmp_path / f"bomb{suffix}"
    bomb.write_bytes(gzip.compress(content + b" " * 20_000_000))

    article = _only(read_file(path))

    assert isinstance(article, RawArticle)
    assert article.title in {"Ferry strike ends", "Bridge closes after cracks found"}
    assert _only(read_file(bomb, max_bytes=1_000_000)).code == errors.TOO_LARGE


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
        ("utf-16-le", b""),  # no BOM: told by its zero bytes
        ("utf-16-be", b""),
    ],
)
def test_ingest_utf16_and_utf32_text_is_decoded(tmp_path: Path, encoding: str, bom: bytes):
    path = tmp_path / "wide.txt"
    path.write_bytes(bom + "Café reopens\nThe café in Zürich reopened.\n".encode(encoding))

    article = _only(read_file(path))

    assert isinstance(article, RawArticle)
    assert (article.title, article.text) == ("Café reopens", "The café in Zürich reopened.")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),  # what Excel's "Unicode text" and PowerShell write
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-16-le", b""),
    ],
)
def test_ingest_utf16_jsonl_and_csv_rows_are_decoded(tmp_path: Path, encoding: str, bom: bytes):
    rows = [{"id": "r1", "title": "Café reopens", "text": "The café in Zürich reopened."}]
    rows.append({"id": "r2", "title": "Ferry strike ends", "text": "Ferries run again."})
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_bytes(
        bom + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode(encoding)
    )
    csv_file = tmp_path / "rows.csv"
    csv_text = "id,title,text\r\n" + "".join(
        f'{r["id"]},{r["title"]},"{r["text"]}"\r\n' for r in rows
    )
    csv_file.write_bytes(bom + csv_text.encode(encoding))

    for path in (jsonl, csv_file):
        items = list(read_file(path))
        assert all(isinstance(i, RawArticle) for i in items), items
        assert [(i.title, i.text) for i in items] == [(r["title"], r["text"]) for r in rows]


def test_ingest_utf16_jsonl_with_broken_bytes_keeps_the_rows_before_them(tmp_path: Path):
    lines = [
        json.dumps({"id": f"r{i}", "text": f"Report {i} on the flood."}) + "\n" for i in range(3)
    ]
    good = "".join(lines[:2]).encode("utf-16-le")
    path = tmp_path / "rows.jsonl"
    # a lone low surrogate: no UTF-16 decoder accepts it
    path.write_bytes(codecs.BOM_UTF16_LE + good + b"\x00\xdc" + lines[2].encode("utf-16-le"))

    items = list(read_file(path))

    assert [i.text for i in items if isinstance(i, RawArticle)] == [
        "Report 0 on the flood.",
        "Report 1 on the flood.",
    ]
    assert _codes(items) == [errors.UNDECODABLE]
    assert f"byte {2 + len(good)}" in items[-1].reason


def test_ingest_deeply_nested_jsonl_line_is_one_row_and_later_lines_are_kept(tmp_path: Path):
    path = tmp_path / "rows.jsonl"
    deep = '{"text": "x", "meta": ' + "[" * 200_000 + "]" * 200_000 + "}"
    nested = '{"text": "x", "meta": ' + "[" * 150 + "]" * 150 + "}"
    lone = '{"text": "lone \\udcff surrogate"}'
    path.write_text(f'{deep}\n{nested}\n{lone}\n{{"text": "kept"}}\n')

    items = list(read_file(path))

    assert _codes(items) == [errors.MALFORMED_JSONL, errors.MALFORMED_JSONL, errors.UNDECODABLE]
    assert [i.text for i in items if isinstance(i, RawArticle)] == ["kept"]


def _warc_record(block: bytes, uri: str | None) -> bytes:
    """Return one uncompressed WARC response record, written by hand (no writer quirks)."""
    target = f"WARC-Target-URI: {uri}\r\n".encode() if uri else b""
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        b"WARC-Date: 2026-01-01T00:00:00Z\r\n" + target + b"Content-Type: application/http; "
        b"msgtype=response\r\nContent-Length: " + str(len(block)).encode() + b"\r\n\r\n"
    )
    return head + block + b"\r\n\r\n"


def test_ingest_warc_response_without_target_uri_is_read(tmp_path: Path):
    path = tmp_path / "crawl.warc"
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + HTML.encode()
    path.write_bytes(_warc_record(block, uri=None))

    article = _only(read_file(path))

    assert isinstance(article, RawArticle)
    assert (article.title, article.url) == ("Bridge closes after cracks found", None)


def test_ingest_folder_reports_every_unsupported_entry(tmp_path: Path):
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    (tmp_path / "memo.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "notes.md").write_text(BODY)
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "linked").symlink_to(tmp_path)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))

        items = list(read_paths([tmp_path]))

    found = {Path(i.locator).name: i.code for i in items if isinstance(i, Rejected)}
    assert found == {
        "paper.pdf": errors.UNKNOWN_FORMAT,
        "memo.docx": errors.UNKNOWN_FORMAT,
        "pipe": errors.NOT_REGULAR_FILE,
        "dangling.txt": errors.MISSING_PATH,
        "loop.txt": errors.MISSING_PATH,
        "linked": errors.NOT_REGULAR_FILE,
        "sock": errors.NOT_REGULAR_FILE,
    }
    assert [i.title for i in items if isinstance(i, RawArticle)] == ["Ferry strike ends"]


def test_ingest_fifo_named_directly_or_by_a_manifest_is_never_opened_for_reading(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would wait for a writer forever
    (tmp_path / "metadata.jsonl").write_text(json.dumps({"file": "pipe.txt"}) + "\n")

    assert _only(read_file(tmp_path / "pipe.txt")).code == errors.NOT_REGULAR_FILE
    assert _only(read_file(tmp_path / "metadata.jsonl")).code == errors.NOT_REGULAR_FILE


def test_ingest_gzipped_manifest_reads_each_named_file_once(tmp_path: Path):
    (tmp_path / "harbour.txt").write_text(BODY)
    with gzip.open(tmp_path / "metadata.jsonl.gz", "wt") as f:
        f.write(json.dumps({"file": "harbour.txt", "id": "h1", "published": "2031-05-06"}) + "\n")

    items = list(read_paths([tmp_path]))

    assert [(i.id, i.published) for i in items] == [("h1", "2031-05-06")]


def test_ingest_manifest_row_it_cannot_read_does_not_hide_its_file(tmp_path: Path):
    name = os.fsdecode(b"caf\xe9.txt")  # JSON can only name it with a lone surrogate
    (tmp_path / name).write_text(BODY)
    (tmp_path / "metadata.jsonl").write_text(json.dumps({"file": name, "id": "m"}) + "\n")

    items = list(read_paths([tmp_path]))

    assert _codes(items) == [errors.UNDECODABLE]
    assert [i.locator for i in items if isinstance(i, RawArticle)] == [f"{tmp_path}/caf\\xe9.txt"]


def test_ingest_csv_header_without_rows_is_one_rejected_row(tmp_path: Path):
    path = tmp_path / "empty.csv"
    path.write_text("title,text\n")
    assert _only(read_file(path)).code == errors.EMPTY_INPUT


def test_ingest_folder_skips_its_readme_and_a_store_beside_the_inputs(tmp_path: Path):
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "README.md").write_text("# About these files\nThey are news.\n")
    for name in ("storyline.db", "storyline.db-wal", "storyline.db-shm"):
        (tmp_path / name).write_bytes(b"SQLite format 3\x00")

    items = list(read_paths([tmp_path]))

    assert [(type(i), i.locator) for i in items] == [(RawArticle, str(tmp_path / "a.txt"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_ingest_an_html_page_read_again_by_a_changed_reader_keeps_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
):
    # an HTML article's id is the hash of the text read: the reader's fast mode changed some
    # texts, and re-reading the same file gave a new id beside the old row (a false copy)
    page = tmp_path / "page.html"
    page.write_bytes((EXAMPLES / "a2_vdw_death_toll.html").read_bytes())
    real = html_reader.extract_text

    def older_reader(*args: object, **kwargs: object) -> tuple[str, dict[str, object]]:
        text, decision = real(*args, **kwargs)  # type: ignore[arg-type]
        return f"{text}\nShare this story with a friend today.", decision

    settings = load_settings()
    with store_url(backend, tmp_path) as url, storyline.open(url, settings=settings) as space:
        with monkeypatch.context() as patch:
            patch.setattr(html_reader, "extract_text", older_reader)
            assert space.ingest([page]).stored == 1
        (old,) = space.articles()
        assert old.text.endswith("with a friend today.")

        again = space.ingest([page])  # the reader as it is now
        (new,) = space.articles()  # one article: no second row for the same page
        assert (again.stored, again.unchanged) == (1, 0)
        assert new.id == old.id
        assert new.id != read_html(page.read_bytes(), str(page)).id  # not the new text's hash
        assert "with a friend today" not in new.text
        assert new.text.split("\n")[0] == old.text.split("\n")[0]

        third = space.ingest([page])
        assert (third.stored, third.unchanged) == (0, 1)
        assert [a.id for a in space.articles()] == [old.id]


@pytest.mark.parametrize("backend", BACKENDS)
def test_ingest_an_html_page_read_again_with_new_text_is_clustered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
):
    # the re-read page keeps its stored id: the stories stage took it for clustered and kept
    # the storyline its old text gave (a strike story), unlike a run from scratch (dam breach)
    page, other = tmp_path / "page.html", tmp_path / "other.html"
    page.write_bytes((EXAMPLES / "a2_vdw_death_toll.html").read_bytes())
    other.write_bytes((EXAMPLES / "b2_circuit_weekly_supply.html").read_bytes())
    real = html_reader.extract_text
    strike = read_html(other.read_bytes(), str(other)).text

    def older_reader(*args: object, **kwargs: object) -> tuple[str, dict[str, object]]:
        text, decision = real(*args, **kwargs)  # type: ignore[arg-type]
        return (strike if "toll" in text.lower() else text), decision

    def storylines(space: storyline.Workspace) -> list[list[str]]:
        titles = {a.id: a.title for a in space.articles()}
        stories = space.store.stories("storyline")
        return sorted(sorted(titles[i] for i in s.article_ids) for s in stories)

    settings = load_settings()
    with store_url(backend, tmp_path) as url, storyline.open(url, settings=settings) as space:
        with monkeypatch.context() as patch:
            patch.setattr(html_reader, "extract_text", older_reader)
            assert space.ingest([other, page]).stored == 2
        space.run(workers=1)
        assert len(storylines(space)) == 1  # the old text is the strike story's

        assert space.ingest([page]).stored == 1  # the reader as it is now: new text
        space.run(workers=1)
        rerun = storylines(space)

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with store_url(backend, scratch) as url, storyline.open(url, settings=settings) as space:
        space.ingest([other, page])
        space.run(workers=1)
        assert rerun == storylines(space)
        assert len(rerun) == 2
