from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest

from storyline.clean import clean_article
from storyline.models import CleanArticle, Quote, RawArticle, RemovedLine
from storyline.quality.assess import (
    UNTRUSTED_FLAGS,
    assess_quality,
    attribution_problem,
    incoherence_score,
    split_sentences,
)
from tests.conftest import make_article, sentence_model, shared_path

if TYPE_CHECKING:
    from pathlib import Path

BRIDGE_TITLE = "Harbour bridge in Kellford closes after cracks found in main span"
BRIDGE = [
    (
        "Engineers closed the harbour bridge in Kellford on Monday after inspectors found cracks "
        "in the steel of its main span."
    ),
    (
        "The bridge carries about 40,000 vehicles a day between the harbour and the northern "
        "suburbs of Kellford."
    ),
    (
        "Transport director Maria Lindqvist said the cracks were discovered during a routine "
        "inspection of the span last week."
    ),
    (
        "Lindqvist said engineers needed at least two weeks to judge whether the steel could be "
        "repaired or had to be replaced."
    ),
    "She said drivers should expect long delays on the coastal road while the bridge stays shut.",
    "Buses between the harbour and the northern suburbs will be diverted along the coastal road.",
    "The city council will add extra ferries across the harbour from Wednesday to ease the delays.",
    "The bridge was opened in 1968 and its main span was last repaired in 2004.",
    "Engineers at the time warned that the steel of the span would need replacing within decades.",
    "Council leader Tom Brandt said the repairs would be paid for from the transport budget.",
]
VOTE_TITLE = "Farmers vote to end the milk strike after a new price deal"
VOTE = [
    (
        "Dairy farmers in the valley voted on Friday to end a three-week milk strike after "
        "processors agreed to a higher price per litre."
    ),
    "The farmers' union said 82 percent of its members backed the deal in the vote.",
    (
        "Union chairman Peter Holm said the new price would let small dairy farms cover their "
        "feed costs again."
    ),
    "Holm said farmers would resume milk deliveries to the processors on Monday morning.",
    "During the strike farmers poured thousands of litres of milk onto their fields in protest.",
    "The processors said supermarket shelves would be fully stocked with milk within days.",
    "Supermarkets had limited milk sales to two cartons per customer during the strike.",
    "The price deal runs for two years and will be reviewed by the union each spring.",
]


def seed_article(path: Path) -> CleanArticle:
    lines = path.read_text(encoding="utf-8").split("\n")
    raw = RawArticle(
        id=path.stem,
        title=lines[0].strip(),
        text="\n".join(lines[1:]),
        locator=str(path),
        format="txt",
    )
    return clean_article(raw)


def article(title: str, sentences: list[str], **kwargs) -> CleanArticle:
    text = "\n\n".join(sentences)
    return CleanArticle(
        id="a1", title=title, text=text, locator="test", format="txt", content_hash="h", **kwargs
    )


@pytest.mark.parametrize("encoded", [False, True], ids=["word-vectors", "encoder"])
@pytest.mark.parametrize(
    ("prefix", "untrusted"),
    [("000", False), ("001", False), ("002", True), ("003", False), ("004", False)],
)
def test_quality_flags_only_the_spun_seed(prefix, untrusted, encoded):
    (path,) = shared_path("seeds").glob(f"{prefix}_*.txt")
    model = sentence_model() if encoded else None
    report = assess_quality(seed_article(path), sentence_model=model)
    flagged = set(report.flags) & set(UNTRUSTED_FLAGS)
    assert bool(flagged) is untrusted
    if untrusted:
        assert "attribution_mismatch" in flagged
        assert any("Kerry" in reason for reason in report.reasons)
        assert report.score < 0.7
    else:
        assert report.score >= 0.8


def test_quality_spliced_article_scores_above_both_sources():
    spliced = [BRIDGE[0], VOTE[3], BRIDGE[1], VOTE[6], BRIDGE[4], VOTE[1], BRIDGE[7], VOTE[5]]
    score = incoherence_score(BRIDGE_TITLE, "\n".join(spliced))
    assert score > incoherence_score(BRIDGE_TITLE, "\n".join(BRIDGE))
    assert score > incoherence_score(VOTE_TITLE, "\n".join(VOTE))


@pytest.mark.parametrize(("title", "body"), [(BRIDGE_TITLE, BRIDGE), (VOTE_TITLE, VOTE)])
def test_quality_shuffled_article_scores_above_original(title, body):
    # one random order can happen to read well (its neighbours share words by chance): the
    # score must rank nearly every order below the article's own
    original = incoherence_score(title, "\n".join(body))
    above = 0
    for seed in range(20):
        shuffled = body[:]
        random.Random(seed).shuffle(shuffled)
        assert shuffled != body
        above += incoherence_score(title, "\n".join(shuffled)) > original
    assert above >= 18


def test_quality_coherent_article_is_trusted():
    report = assess_quality(article(BRIDGE_TITLE, BRIDGE))
    assert report.flags == ()
    assert report.score > 0.8


def test_quality_attribution_mismatch_when_headline_person_is_not_the_speaker():
    title = "Anna Berg: the bridge will reopen before winter"
    body = [
        *BRIDGE[:2],
        "“We will not reopen the bridge until every crack is repaired,” said Mr Brandt.",
        *BRIDGE[5:8],
    ]
    assert "Berg" in (attribution_problem(title, "\n".join(body)) or "")
    assert attribution_problem(BRIDGE_TITLE, "\n".join(BRIDGE)) is None


def test_quality_attribution_uses_given_quotes():
    title = "Tom Brandt: the bridge will reopen before winter"
    body = [
        *BRIDGE[:2],
        "“Every crack will be repaired first,” the council leader said.",
        *BRIDGE[5:8],
    ]
    text = "\n".join(body)
    start = text.index("Every")
    quote = Quote(
        id="q1", article_id="a1", speaker="Maria Lindqvist", speaker_text="Ms Lindqvist",
        cue="said", kind="direct", text="Every crack will be repaired first", start=start,
        end=start + 34,
    )  # fmt: skip
    body_with_role = [*body, "Council leader Mr Brandt has not commented."]
    problem = attribution_problem(title, "\n".join(body_with_role), [quote])
    assert problem is not None
    assert "Brandt" in problem
    assert "Lindqvist" in problem


def test_quality_unattributed_direct_quotes_are_flagged():
    body = [
        *BRIDGE[:2],
        "“We have never seen cracks like these in a bridge of this age.”",
        BRIDGE[5],
        BRIDGE[6],
        "“Nobody will be allowed to drive across until the experts are certain.”",
        BRIDGE[7],
    ]
    report = assess_quality(article(BRIDGE_TITLE, body))
    assert "attribution_mismatch" in report.flags
    assert "2 direct quotes" in report.reasons[report.flags.index("attribution_mismatch")]


def test_quality_near_empty_boilerplate_and_duplicate_flags():
    thin = assess_quality(article(BRIDGE_TITLE, BRIDGE[:1]), duplicate_of="b7")
    assert thin.flags == ("near_empty", "duplicate")
    assert "b7" in thin.reasons[1]
    removed = tuple(
        RemovedLine(i, f"Related: another story about the city council number {i}", "related", 0.9)
        for i in range(30)
    )
    heavy = assess_quality(article(BRIDGE_TITLE, BRIDGE, removed=removed))
    assert heavy.flags == ("boilerplate_heavy",)
    assert not set(heavy.flags) & set(UNTRUSTED_FLAGS)


def test_quality_split_sentences_keeps_abbreviations_inside():
    text = "Mr. Holm met Dr. Berg in the U.S. on Monday. They spoke for an hour.\nA new paragraph."
    assert split_sentences(text) == [
        "Mr. Holm met Dr. Berg in the U.S. on Monday.",
        "They spoke for an hour.",
        "A new paragraph.",
    ]


def test_quality_headline_speaker_never_named_in_the_body():
    title = "Governor Vance Admits Bridge Was Unsafe"
    text = (
        "The old bridge over the Tarn closed on Monday after inspectors found deep cracks. "
        "“We knew the piers were failing,” the official declared. "
        "Repairs will take a year, the council said."
    )
    quote = Quote(
        "q1",
        "a",
        None,
        "the official",
        "declared",
        "direct",
        "We knew the piers were failing",
        90,
        120,
    )
    assert "Vance" in attribution_problem(title, text, [quote])
    named = text + " Governor Vance said the state would pay."
    assert attribution_problem(title, named, [quote]) is None


def test_quality_spliced_copy_loses_trust():
    spliced = [BRIDGE[0], VOTE[3], BRIDGE[1], VOTE[6], BRIDGE[4], VOTE[1], BRIDGE[7], VOTE[5]]
    report = assess_quality(article(BRIDGE_TITLE, spliced))
    assert report.score < 0.8
    assert report.score < assess_quality(article(BRIDGE_TITLE, BRIDGE)).score - 0.2


def test_quality_reason_names_who_the_headline_gives_words_to_and_who_the_body_quotes():
    title = "Anna Berg: the bridge will reopen before winter"
    text = "\n".join(BRIDGE)
    start = text.index(BRIDGE[2][:10])
    quotes = [
        Quote("q1", "a", "Tom Brandt", "Mr Brandt", "said", "direct", BRIDGE[2][:30], start,
              start + 30),
        Quote("q2", "a", "Tom Brandt", "he", "said", "direct", BRIDGE[2][:20], start, start + 20),
        Quote("q3", "a", "City Council", "the council", "said", "indirect", "it would", 0, 8),
    ]  # fmt: skip
    # built from the evidence: the headline's full name, the direct quotes' speaker
    assert attribution_problem(title, text, quotes) == (
        "the headline gives words to Anna Berg; the body quotes Tom Brandt and never Berg"
    )


def test_quality_thresholds_come_from_config_and_default_to_the_fitted_constants():
    from storyline.config import load_settings  # noqa: PLC0415
    from storyline.quality import assess as quality  # noqa: PLC0415

    packaged = load_settings().quality
    assert (packaged.incoherent_at, packaged.min_words, packaged.boilerplate_ratio) == (
        quality.INCOHERENT_AT,
        quality.MIN_WORDS,
        quality.BOILERPLATE_RATIO,
    )
    words = " ".join(["The council met on Monday and agreed to repair the old bridge."] * 4)
    article = make_article("q1", "Bridge repairs agreed", words, "2026-03-01")
    assert "near_empty" in assess_quality(article).flags  # 48 words, under the default 80
    lenient = quality.QualityThresholds(min_words=20)
    assert "near_empty" not in assess_quality(article, thresholds=lenient).flags


def test_quality_honest_attribution_patterns_are_not_flagged():
    # a quote over several paragraphs, attributed once at its end, is one attributed quote
    text = "\n".join(
        [
            *BRIDGE[:2],
            "“We have never seen cracks like these in a bridge of this age.",
            "“Nobody will be allowed to drive across until the experts are certain.",
            "The piers need new steel before winter,” the engineer Tom Brandt explained.",
            BRIDGE[7],
        ]
    )
    assert attribution_problem(BRIDGE_TITLE, text) is None
    # a common word opening a headline, and headline capitals on common words, make no speaker
    assert attribution_problem("Inspectors Warn Of Cracks", text) is None
    assert attribution_problem("Harbour Bridge: cracks found", text) is None
    # a headline that names someone without giving them words claims no quote
    named = text + "\nMr Holm, the mayor, visited the site."
    assert attribution_problem("Mayor Anna Holm visits the cracked bridge", named) is None
