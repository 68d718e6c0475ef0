"""The paragraph vote between trafilatura's text and its readability port's."""

from __future__ import annotations

from storyline.ingest.html import read_html
from storyline.ingest.html_vote import VotePolicy, default_policy, vote

_POLICY = VotePolicy(min_share=0.3, support=0.5, add_words=40)
_FIRST = (
    "The council approved the new budget for the harbour district on Tuesday evening, "
    "after residents asked for more money for the ferry."
)
_SECOND = (
    "Builders expect the first repairs on the sea wall to start before the autumn storms, "
    "the works office said."
)
_LOST = " ".join(
    ["Opposition members argued that the cost of the bridge had been understated for years"] * 4
)
_MENU = "Subscribe Sign in Newsletters Podcasts"


def test_line_no_second_extractor_backs_is_dropped():
    primary = f"{_FIRST}\n{_MENU}\n{_SECOND}"
    text, record = vote(primary, f"{_FIRST}\n{_SECOND}", _POLICY)
    assert text.split("\n") == [_FIRST, _SECOND]
    assert record["dropped_lines"] == 1
    assert record["result"] == "voted"


def test_long_paragraph_only_the_second_holds_is_added_in_page_order():
    text, record = vote(f"{_FIRST}\n{_SECOND}", f"{_FIRST}\n{_LOST}\n{_SECOND}", _POLICY)
    assert text.split("\n") == [_FIRST, _LOST, _SECOND]
    assert record["added_lines"] == 1


def test_short_line_only_the_second_holds_is_not_added():
    text, _ = vote(f"{_FIRST}\n{_SECOND}", f"Read more\n{_FIRST}\n{_SECOND}", _POLICY)
    assert text.split("\n") == [_FIRST, _SECOND]


def test_no_vote_when_the_second_text_is_small():
    primary = "\n".join([_FIRST, _SECOND] * 5 + [_MENU])
    text, record = vote(primary, _FIRST, _POLICY)
    assert text == primary
    assert str(record["result"]).startswith("skipped")


def test_policy_comes_from_defaults():
    policy = default_policy()
    assert 0 < policy.support <= 1
    assert policy.add_words >= 1


def test_vote_is_recorded_in_the_article_meta():
    body = "".join(f"<p>{_FIRST} {_SECOND}</p>" for _ in range(8))
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Harbour budget</title></head>"
        f"<body><article><h1>Harbour budget</h1>{body}</article></body></html>"
    ).encode()
    raw = read_html(page, "page.html")
    record = raw.meta["extraction"]["vote"]
    assert record["voter"] == "trafilatura-readability"
    assert record["second_words"] > 0
    assert "harbour district" in raw.text
