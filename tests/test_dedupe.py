"""Exact and near-duplicate detection on hand-made articles and on the seeds."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

from storyline.dedupe import DuplicateIndex, find_duplicates, signature
from tests.conftest import edited_copy, seed_rows
from tests.conftest import make_article as article

if TYPE_CHECKING:
    from storyline.models import CleanArticle

BODY = (
    "Workers at the Velmora semiconductor plant in the republic of Ostravia walked out on "
    "Monday after talks over night-shift pay broke down. The union said about four thousand "
    "staff joined the strike, halting production of memory chips for carmakers. Managers at "
    "the plant offered a bonus of two percent, which union leaders called an insult. The "
    "labour ministry in the capital Kessin urged both sides to return to mediation before the "
    "end of the week. Analysts warned that a long stoppage could delay deliveries to European "
    "car factories that already face shortages of microcontrollers."
)
OTHER = (
    "The regional orchestra of Lindqvist Bay opened its winter season with a programme of "
    "folk songs arranged for strings. The conductor, who returned after a long illness, thanked "
    "volunteers who repaired the concert hall roof over the summer. Tickets for the remaining "
    "concerts are sold at the harbour library, and children under twelve enter for free."
)


def test_dedupe_exact_copy_points_to_earliest() -> None:
    """An exact copy published later points at the earlier article."""
    first = article("b-first", "Chip workers strike", BODY, "2031-03-03")
    copy = article("a-copy", "Chip workers strike", BODY, "2031-03-04")
    assert find_duplicates([copy, first]) == {"a-copy": "b-first"}


def test_dedupe_near_copy_with_new_headline_and_sentence() -> None:
    """A syndicated copy with another headline and one more sentence is a duplicate."""
    original = article("orig", "Chip workers strike in Ostravia", BODY, "2031-03-03")
    edited = article(
        "syndicated",
        "Ostravia chip plant halted as staff walk out",
        BODY + " The company did not reply to a request for comment.",
        "2031-03-03",
    )
    other = article("orchestra", "Orchestra opens season", OTHER, "2031-03-03")
    # Same day: the longer copy is the more complete one and becomes the original.
    assert find_duplicates([original, edited, other]) == {"orig": "syndicated"}


def test_dedupe_different_articles_not_merged() -> None:
    """Two articles on different topics are not duplicates."""
    assert find_duplicates([article("x", "Strike", BODY), article("y", "Music", OTHER)]) == {}


def test_dedupe_incremental_and_rebuilt_from_signatures() -> None:
    """Batches, pickling and rebuilding from stored signatures give the same answer."""
    first = article("one", "Chip workers strike", BODY, "2031-03-03")
    later = article("two", "Strike halts chip plant", BODY + " Talks resume Friday.", "2031-03-05")
    index = DuplicateIndex()
    index.add([first])
    restored = pickle.loads(pickle.dumps(index))
    restored.add([later])
    assert restored.duplicate_of("two") == "one"
    rebuilt = DuplicateIndex()
    for item in (first, later):
        rebuilt.add_signature(
            item.id,
            signature(item),
            published=item.published,
            length=len(item.title) + len(item.text),
            content_hash=item.content_hash,
        )
    assert rebuilt.duplicates() == {"two": "one"}
    assert rebuilt.duplicate_of("one") is None


def load_seeds() -> list[CleanArticle]:
    """Read the five seed articles with their publication dates."""
    return [
        article(aid, title, body.strip(), published) for aid, title, body, published in seed_rows()
    ]


def test_dedupe_edited_seed_copy_is_marked() -> None:
    """An edited copy of a seed (new headline, one added sentence) points at the seed."""
    seeds = load_seeds()
    source = seeds[0]
    copy = edited_copy(source, "2015-10-24")
    found = find_duplicates([*seeds, copy])
    assert found == {"edited-copy": source.id}


def test_dedupe_texts_without_words_are_copies_only_when_identical() -> None:
    """Word-less texts have no shingles: only the same content makes them copies.

    Before, every such text had the same MinHash (no shingle lowers any value), so the
    estimate put them all at Jaccard 1: in Timeline17 on main, 28 one-line articles the
    cleaner had emptied became copies of one Reuters article and were never analysed.
    """
    dash = article("dash", "", "— — ★", "2031-03-03")
    dots = article("dots", "", "…", "2031-03-04")
    again = article("again", "", "— — ★", "2031-03-05")
    story = article("story", "Chip workers strike", BODY, "2031-03-02")
    assert find_duplicates([story, dash, dots, again]) == {"again": "dash"}
    index = DuplicateIndex()  # the same from stored signatures (a later run's path)
    for item in (story, dash, dots, again):
        index.add_signature(
            item.id,
            signature(item),
            published=item.published,
            length=len(item.text),
            content_hash=item.content_hash,
        )
    assert index.duplicates() == {"again": "dash"}


def test_dedupe_different_short_texts_are_not_copies() -> None:
    """Two short texts with different words are not copies; two identical ones are."""
    found = find_duplicates(
        [
            article("a", "", "Quake hits Haiti", "2031-03-03"),
            article("b", "", "Flu reaches Japan", "2031-03-03"),
            article("c", "", "Quake hits Haiti", "2031-03-04"),
        ]
    )
    assert found == {"c": "a"}


def test_dedupe_empty_articles_are_not_copies() -> None:
    """Articles cleaned down to nothing share a content hash, not content: no copies.

    Main's cleaner emptied 29 one-line Timeline17 articles (BBC, Guardian, Reuters; swine flu,
    Haiti, Michael Jackson); their equal empty hash made 28 of them copies of one.
    """
    story = article("story", "Chip workers strike", BODY, "2031-03-02")
    found = find_duplicates([story, article("e1", "", "", "2031-03-03"), article("e2", "", "")])
    assert found == {}
