"""The HTML reader's small-port rule: two readability readers agree on a block trafilatura outgrew.

Fictional pages: a two-paragraph pier story in a table's middle cell, between two cells of
linked headlines. trafilatura keeps the headlines with the story; its readability port keeps
the story alone.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from storyline.ingest import html as html_reader
from storyline.ingest.html import read_html
from storyline.ingest.html_vote import default_policy

_STORY = [
    (
        "The harbour council approved money for the old ferry pier on Tuesday, after fishermen "
        "said the wooden deck had rotted through in two places."
    ),
    (
        "Repairs start in May, and the pier stays open to walkers while the work goes on, the "
        "council's engineer said, adding that the cost would be shared with the county."
    ),
]
_HEADLINES = [
    "Storm closes coast road for a day as waves throw stones onto the tarmac near the old mill",
    "Bakery on Quay Street wins a regional prize for its rye loaf after ten years of trying",
    "School choir sings at the lighthouse to raise money for a new roof over the music room",
    "New timetable for the island bus puts an extra morning run on weekdays from next month",
    "Lifeboat crew rescues two kayakers who were swept past the point by a strong ebb tide",
    "Market hall roof to be replaced this summer, and the Saturday stalls move to the square",
    "Library opens on Sundays this winter, with a reading room for pupils doing homework",
    "Harbour seals counted from the air for the first time, and their number has grown",
]


def _page(headlines: int) -> bytes:
    heads = [f"{h} (part {i})" for i in range(headlines) for h in _HEADLINES][:headlines]
    side = "".join(f"<p><a href='/news/{i}'>{h}</a></p>" for i, h in enumerate(heads))
    story = "".join(f"<p>{p}</p>" for p in _STORY)
    return (
        "<html><head><meta charset='utf-8'><title>Pier repairs</title></head><body><table><tr>"
        f"<td>{side}</td><td><h1>Pier repairs</h1>{story}</td><td>{side}</td>"
        "</tr></table></body></html>"
    ).encode()


def test_story_between_headline_cells_is_read_by_readability():
    raw = read_html(_page(12), "pier.html")
    decision = raw.meta["extraction"]
    assert decision["vote"]["result"] == "skipped: second text small"
    assert (decision["extractor"], decision["reason"]) == (
        "readability-lxml",
        "small port: readability agrees",
    )
    assert decision["readability_words"] == decision["vote"]["second_words"]
    assert all(paragraph in raw.text for paragraph in _STORY)
    assert "Bakery on Quay Street" not in raw.text


def test_port_far_under_the_share_keeps_trafilaturas_text():
    # 40 headlines a cell: the port holds 7% of trafilatura's words, under the 15% share. Such
    # a port can be one that lost the article (dragnet: 52 words of an 8,000-word page).
    raw = read_html(_page(40), "pier.html")
    decision = raw.meta["extraction"]
    assert decision["vote"]["result"] == "skipped: second text small"
    assert (decision["extractor"], decision["reason"]) == ("trafilatura", "primary")
    assert "readability_words" not in decision  # readability-lxml was not asked
    assert "Bakery on Quay Street" in raw.text
    assert all(paragraph in raw.text for paragraph in _STORY)


def test_readability_of_another_size_than_the_port_keeps_trafilaturas_text(monkeypatch):
    # readability-lxml answering with four times the port's words does not back the port.
    other = " ".join(["The ferry timetable for the winter months was printed again."] * 25)
    monkeypatch.setattr(html_reader, "readability_text", lambda html: other)
    raw = read_html(_page(12), "pier.html")
    decision = raw.meta["extraction"]
    assert decision["readability_words"] == len(other.split())
    assert (decision["extractor"], decision["reason"]) == ("trafilatura", "primary")
    assert "Bakery on Quay Street" in raw.text


@pytest.mark.parametrize(("share", "extractor"), [(1.0, "trafilatura"), (0.15, "readability-lxml")])
def test_small_port_share_follows_the_policy(share, extractor):
    policy = replace(default_policy(), small_port_share=share)
    raw = read_html(_page(12), "pier.html", vote_policy=policy)
    assert raw.meta["extraction"]["extractor"] == extractor
