from __future__ import annotations

import re

import pytest

from storyline.clean import (
    clean_article,
    clean_text,
    clean_text_guarded,
    find_furniture,
    normalise_line,
)
from storyline.ingest import read_paths
from storyline.models import RawArticle
from tests.conftest import shared_path

STORY = (
    "The council voted on Tuesday to close the old bridge, officials said.\n"
    "\n"
    '"We had no choice," said Mayor Lena Brook. "The cracks were spreading."\n'
    "Engineers will inspect the structure again next month, according to the council."
)


def _clean(text: str, **kwargs):
    return clean_text(text, **kwargs)


def test_clean_keeps_plain_story():
    text, removed = _clean(STORY)
    assert removed == ()
    assert text == STORY


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Sign up for our Daily Digest and get the news in your inbox.", "call_to_action"),
        ("SUBSCRIBE NOW", "call_to_action"),
        ("https://cdn.example.org/images/bridge-1200.jpg", "url"),
        ("(Image credit: Lena Photo Agency)", "caption"),
        ("Already a subscriber? Log in here.", "call_to_action"),
        (
            "You have read 3 of your 5 free articles. To keep reading, become a member.",
            "call_to_action",
        ),
    ],
)
def test_clean_removes_boilerplate_line_with_reason(line, reason):
    text, removed = _clean(f"{STORY}\n{line}")
    assert [r.reason for r in removed] == [reason]
    assert removed[0].text == line
    assert line not in text
    assert STORY.split("\n", maxsplit=1)[0] in text


def test_clean_removes_related_block_up_to_the_end():
    page = (
        STORY
        + "\nRelated articles\nTown fair returns after two years\nTown fair returns after two years\n"
        "Why the price of bread is rising\nThe bakers' union said prices will go up again next year."
    )
    text, removed = _clean(page)
    assert {r.reason for r in removed} == {"related"}
    assert len(removed) == 5
    assert text.strip() == STORY


def test_clean_removes_caption_before_credit_and_bio_at_tail():
    page = (
        "Mayor Lena Brook inspects the bridge in Ostrava\n(Photo: Jan Novak / Daily Post)\n"
        + STORY
        + "\nJane Roe covers city hall for the Daily Post. She has worked as a reporter since 2015."
    )
    text, removed = _clean(page)
    reasons = [r.reason for r in removed]
    assert reasons == ["caption", "caption", "bio"]
    assert text.strip() == STORY


def test_clean_drops_repeated_teaser_lines_but_keeps_repeated_sentences():
    teaser = "Town fair returns after two years"
    sentence = "The council voted on Tuesday to close the old bridge, officials said."
    text, removed = _clean(f"{teaser}\n{STORY}\n{teaser}\n{sentence}")
    assert teaser not in text
    assert [r.reason for r in removed] == ["repeated", "repeated"]
    assert text.count(sentence) == 2  # a repeated full sentence is content, not furniture


def test_clean_furniture_across_corpus():
    footer = "Copyright 2026 Daily Post"
    furniture = find_furniture(
        [f"{STORY}\n{footer}", f"Other story here.\n{footer}", f"Third.\n{footer}"]
    )
    assert normalise_line(footer) in furniture
    text, removed = _clean(f"{STORY}\n{footer}", furniture=furniture)
    assert footer not in text
    assert removed[0].reason in {"furniture", "call_to_action"}


def test_clean_byline_names_the_source():
    raw = RawArticle(
        id="x",
        title="Bridge closes",
        text=f"By Jane Roe, Ostrava Daily Post\n{STORY}",
        locator="x.txt",
        format="txt",
    )
    clean = clean_article(raw)
    assert clean.source == "Ostrava Daily Post"
    assert clean.text == STORY


# -- the seeds: boilerplate named in the foundation issue goes, every story sentence stays ----

REMOVED_FRAGMENTS = {
    "001": [
        "Sign up to get the latest insights and analysis",
        "New MEE newsletter",
        "please fill out this form",
    ],
    "003": ["related articles", "Pope seeks prayers for peace", "Bring it on"],
    "004": [
        "SUBSCRIBE & SAVE",
        "To continue reading this article",
        "Peter has worked as a news",
        "(Image credit",
    ],
    "000": ["Valdai International Discussion Club in Sochi on 22 October Reuters"],
}
_SAID = re.compile(r"\b(said|says|told|according to|announced|suggested)\b")


@pytest.fixture(scope="module")
def cleaned_seeds():
    seeds = shared_path("seeds")
    out = {}
    for raw in read_paths(sorted(seeds.glob("0*.txt"))):
        out[raw.locator.rsplit("/", 1)[-1][:3]] = (raw, clean_article(raw))
    return out


@pytest.mark.parametrize("seed", sorted(REMOVED_FRAGMENTS))
def test_clean_seeds_boilerplate_removed(cleaned_seeds, seed):
    raw, clean = cleaned_seeds[seed]
    for fragment in REMOVED_FRAGMENTS[seed]:
        assert fragment in raw.text
        assert fragment not in clean.text, fragment
        assert any(fragment in line.text for line in clean.removed)


def test_clean_seeds_keep_every_reported_sentence(cleaned_seeds):
    # A line that reports speech or carries a quotation is story, whatever else it looks like.
    for raw, clean in cleaned_seeds.values():
        before_related = raw.text.split("related articles")[0]
        for line in before_related.split("\n"):
            if _SAID.search(line) or '"' in line or "“" in line:
                assert line.strip() in clean.text, line[:80]


def test_clean_seeds_removed_lines_are_kept_with_reasons(cleaned_seeds):
    raw, clean = cleaned_seeds["004"]
    lines = raw.text.split("\n")
    for removed in clean.removed:
        assert lines[removed.line_no] == removed.text
        assert removed.reason
        assert 0.0 < removed.score <= 1.0


def test_clean_html_guard_caps_removals_highest_scores_first():
    from storyline.clean import PageGuard, clean_text_guarded  # noqa: PLC0415

    story = "The council approved the harbour budget on Tuesday after a long debate, she said."
    lines = (
        [story] * 1
        + [f"https://example.com/{w}" for w in ("alpha", "beta", "gamma", "delta")]
        + [story + " Yes."]
    )
    text, removed, kept = clean_text_guarded(
        "\n".join(lines), threshold=0.95, guard=PageGuard(40, 0.2)
    )
    # 46 words (each URL line is 4: https, example, com, a name): a 20% cap allows 9, so two URL
    # lines go and two stay, marked "cap".
    assert [line.reason for line in removed] == ["url", "url"]
    assert [(k.reason, k.guard) for k in kept] == [("url", "cap")] * 2
    assert text.count("https://") == 2


def test_clean_plain_text_has_no_guard():
    story = "The council approved the budget on Tuesday, officials said."
    body = "One two three (Photo credit: Reuters) " + "word " * 600 + "\n" + story
    text, removed = clean_text(body, threshold=0.95)
    assert text == story  # the HTML long-line guard would have kept the 600-word line
    assert [line.reason for line in removed] == ["caption"]


def test_clean_never_deletes_a_whole_article_in_any_format():
    body = "One two three (Photo credit: Reuters) " + "word " * 600
    text, removed, kept = clean_text_guarded(body, threshold=0.95)
    assert text == body.strip()
    assert removed == ()
    assert [(k.reason, k.guard) for k in kept] == [("caption", "whole_article")]
