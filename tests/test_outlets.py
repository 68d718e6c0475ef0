"""Outlets named by the page itself: texts of our own writing first, then the seeds."""

from __future__ import annotations

import pytest

from storyline.clean import clean_article
from storyline.models import RawArticle, RemovedLine
from storyline.outlets import find_outlet, outlet_from_url
from tests.conftest import shared_path

BODY = (
    "The Kessel dam broke on Monday night and flooded the valley below.\n"
    "Rescue teams searched three villages for people trapped by the water.\n"
    "The regional government said repairs would take at least a year."
)


def _found(text, **kwargs):
    found = find_outlet(text=text, **kwargs)
    return (found.name, found.source_from) if found else None


def test_outlets_from_site_name_then_url_host():
    meta = {"site_name": "Tarn Valley Courier"}
    url = "https://www.tarncourier.example.org/news/dam.html"
    assert _found(BODY, url=url, meta=meta) == ("Tarn Valley Courier", "site_name")
    assert _found(BODY, url=url) == ("tarncourier.example.org", "url")
    assert outlet_from_url("http://127.0.0.1:8000/a.html") is None
    assert outlet_from_url("https://m.kesselpost.example.com/x") == "kesselpost.example.com"


@pytest.mark.parametrize(
    ("tail", "outlet"),
    [
        ("By Jane Roe, Ostrava Daily Post", "Ostrava Daily Post"),
        ("Mara Lind, The Kessel Ledger", "The Kessel Ledger"),
        ("Tomas Varga | Valley Gazette", "Valley Gazette"),
    ],
)
def test_outlets_from_a_byline_or_sign_off(tail, outlet):
    assert _found(f"{BODY}\n{tail}") == (outlet, "byline")


def test_outlets_a_sign_off_with_a_place_or_a_role_is_no_outlet():
    assert _found(f"{BODY}\nJane Roe, Kessel") is None
    assert _found(f"{BODY}\nJane Roe, Staff Writer") is None
    # ... unless the page's furniture names it again
    furniture = "Sign up for the Kessel Ledger morning briefing"
    assert _found(f"{BODY}\nMara Lind, Kessel Ledger\n{furniture}") == ("Kessel Ledger", "byline")


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("© 2031 Harbour Times. All rights reserved.", "Harbour Times"),
        (
            (
                "Valley Voice delivers independent reporting from the Tarn valley. To learn "
                "about republishing this content, write to us."
            ),
            "Valley Voice",
        ),
        ("Sign up for The Lindholm Letter's free newsletters", "The Lindholm Letter"),
        ("This story originally appeared in Kessel Weekly.", "Kessel Weekly"),
    ],
)
def test_outlets_from_a_publisher_or_newsletter_line(line, outlet):
    assert _found(f"{BODY}\n{line}") == (outlet, "publisher_line")


def test_outlets_from_a_wire_dateline_and_none_without_any_sign():
    assert _found(f"KESSEL, Tarn (Wirepress) - {BODY}") == ("Wirepress", "dateline")
    assert _found(f"KESSEL (Nordwire) — {BODY}") == ("Nordwire", "dateline")
    # an outlet quoted in the body is not the page's publisher
    assert _found(f"{BODY}\nThe Harbour Times reported that the dam had cracked in May.") is None
    assert _found(BODY) is None


def test_outlets_byline_the_cleaner_removed_is_read():
    removed = (RemovedLine(0, "By Jane Roe, Ostrava Daily Post", "byline", 0.7),)
    assert _found(BODY, removed=removed) == ("Ostrava Daily Post", "byline")


def test_outlets_clean_article_fills_an_empty_source_and_records_the_rule():
    raw = RawArticle("x", "Dam breaks", f"{BODY}\nMara Lind, The Kessel Ledger", "x.txt", "txt")
    clean = clean_article(raw)
    assert clean.source == "The Kessel Ledger"
    assert clean.meta["source_from"] == "byline"
    given = RawArticle("y", "Dam breaks", raw.text, "y.txt", "txt", source="Tarn Post")
    assert clean_article(given).source == "Tarn Post"
    assert "source_from" not in clean_article(given).meta  # metadata said it: nothing inferred


def test_outlets_seeds_name_the_outlets_of_001_and_004():
    folder = shared_path("seeds")
    found = {}
    for path in sorted(folder.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        clean = clean_article(RawArticle(path.stem, title, body, str(path), "txt"))
        found[path.stem[:3]] = (clean.source, clean.meta.get("source_from"))
    assert found["001"] == ("Middle East Eye", "publisher_line")
    assert found["004"] == ("The Week US", "byline")
    # 003 cites the Daily Express and NBC News as its sources: neither is its publisher
    assert found["003"][0] is None


def test_outlets_a_malformed_url_gives_no_outlet_and_no_error():
    assert outlet_from_url("http://[::1/news/dam") is None
