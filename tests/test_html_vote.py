"""The paragraph vote between trafilatura's text and its readability port's."""

from __future__ import annotations

import gzip

from storyline.config import load_settings
from storyline.ingest import read_file
from storyline.ingest.html import read_html
from storyline.ingest.html_vote import VotePolicy, default_policy, vote
from storyline.models import RawArticle
from storyline.text.scripts import WordMeasure

_POLICY = VotePolicy(
    min_share=0.3,
    support=0.5,
    add_words=40,
    port_share=0.7,
    repeat_words=20,
    repeat_share=0.1,
    small_port_share=0.15,
    agree_factor=2.0,
    tail_anchor_words=15,
    tail_max_words=15,
    tail_min_held=0.5,
    short_words=100,
    comment_share=0.3,
    words=WordMeasure(cjk_chars_per_word=1.6, thai_chars_per_word=5.0),
)
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
    assert record["tail_dropped_lines"] == 0  # every line is the port's, word for word
    assert "harbour district" in raw.text


def test_a_user_config_value_reaches_the_vote(tmp_path):
    body = "".join(f"<p>{_FIRST} {_SECOND}</p>" for _ in range(8))
    page = tmp_path / "page.html"
    page.write_bytes(
        (
            "<!doctype html><html><head><meta charset='utf-8'><title>Harbour budget</title>"
            f"</head><body><article><h1>Harbour budget</h1>{body}</article></body></html>"
        ).encode()
    )
    config = tmp_path / "storyline.toml"
    # A second text must hold 50 times the primary's words: no page can be voted on.
    config.write_text("[ingest]\nhtml_vote_min_share = 50.0\n", encoding="utf-8")
    settings = load_settings(config)
    policy = VotePolicy.from_settings(settings.ingest)
    assert policy.min_share == 50.0
    assert policy.support == default_policy().support
    (user,) = read_file(page, vote_policy=policy)
    (packaged,) = read_file(page)
    assert isinstance(user, RawArticle)
    assert isinstance(packaged, RawArticle)
    assert user.meta["extraction"]["vote"]["result"] == "skipped: second text small"
    assert packaged.meta["extraction"]["vote"]["result"] == "voted"
    assert "harbour district" in user.text


def test_the_faster_port_gives_what_trafilaturas_readability_port_gives():
    # html_vote._Port re-implements two passes of trafilatura's port for speed; its output
    # must stay the port's own, but for blocks named footnotes (the next test) (checked on every bench page when written; here on a fixed
    # sample of real pages and the example corpus, so a trafilatura upgrade that moves the
    # port's internals fails here rather than changing extraction quietly)
    from lxml.html import tostring  # noqa: PLC0415
    from trafilatura.external import try_readability as theirs  # noqa: PLC0415
    from trafilatura.utils import load_html  # noqa: PLC0415

    from storyline.ingest.html_vote import try_readability as ours  # noqa: PLC0415
    from tests.conftest import REPO, shared_path  # noqa: PLC0415

    pages = sorted(shared_path("eval", "dragnet", "html").iterdir())[::40]
    pages += sorted((REPO / "examples" / "corpus").glob("*.html"))
    compared = 0
    for page in pages:
        raw = page.read_bytes()
        raw = gzip.decompress(raw) if page.suffix == ".gz" else raw
        assert b"<" in raw[:2000], page.name  # a page, not its compressed bytes
        a, b = load_html(raw), load_html(raw)
        if a is None:
            continue
        assert tostring(ours(a)) == tostring(theirs(b)), page.name
        compared += 1
    assert compared >= 30


def test_the_port_keeps_a_footnote_list_and_still_drops_a_footer():
    # the one deliberate difference from trafilatura's port: "foot" in its unlikely pattern
    # is meant for page footers, not for an article's footnote list
    from trafilatura.external import try_readability as theirs  # noqa: PLC0415
    from trafilatura.utils import load_html  # noqa: PLC0415

    from storyline.ingest.html_vote import block_text  # noqa: PLC0415
    from storyline.ingest.html_vote import try_readability as ours  # noqa: PLC0415

    note = "Rippon, S. Landscape, Community and Colonisation. Council for British Archaeology."
    page = (
        f"<html><body><article><p>{_FIRST}</p><p>{_SECOND}</p><p>{_LOST}</p>"
        f'<ol class="footnotes"><li>{note}</li></ol></article>'
        '<div class="site-footer"><p>Copyright Harbour Gazette, all rights reserved.</p></div>'
        "</body></html>"
    )
    our_text = block_text(ours(load_html(page)))
    assert note in our_text
    assert note not in block_text(theirs(load_html(page)))
    assert "Copyright" not in our_text


def test_readability_port_share_is_read_from_settings(tmp_path):
    config = tmp_path / "storyline.toml"
    config.write_text("[ingest]\nhtml_readability_port_share = 0.0\n", encoding="utf-8")
    policy = VotePolicy.from_settings(load_settings(config).ingest)
    assert policy.port_share == 0.0
    assert default_policy().port_share == 0.7
