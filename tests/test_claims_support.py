"""A claim's support says what the claim says: overlap of names and words is not enough."""

from __future__ import annotations

import pytest

from storyline.claims.align import find_claims
from storyline.claims.statements import similarity_matrix, statement_terms, supports
from tests.conftest import make_article


def _art(aid: str, text: str, source: str):
    return make_article(aid, "t", text, "2031-03-04", locator=f"test:{aid}", source=source)


# Fictional pairs of sentences from two outlets that share enough words to pass the overlap
# threshold but do not say one thing.
NOT_SUPPORT = [
    # only a name and a number shared: what is said of him differs
    (
        "Penwright, 19, said he had not slept the night before the Orvel Cup.",
        "The 19-year-old forward Luca Penwright is expected to start the Orvel Cup on the bench.",
    ),
    # only a name and its title shared ("chief executive" names him; it says nothing of him)
    (
        "Chief executive Yusuf Tallmark has not commented on the strike at Halvane.",
        "Yusuf Tallmark, Halvane's chief executive, broke his silence in a message to staff.",
    ),
    # one says he did, the other that he did not
    (
        "Chief executive Yusuf Tallmark has not commented publicly on the merger.",
        "Chief executive Yusuf Tallmark commented publicly on the merger on Wednesday.",
    ),
    # what will happen is not what happened
    (
        "The ministry published the full report on the shelters on Thursday.",
        "The ministry will publish a full report on the shelters on Thursday.",
    ),
]

# Two outlets really saying one thing, in other words (and one negation said by both).
SUPPORT = [
    (
        "The ministry published the full report on the shelters on Thursday.",
        "On Thursday the ministry released its report on the shelters in full.",
    ),
    (
        "Chief executive Yusuf Tallmark has not commented publicly on the merger.",
        "Tallmark, the chief executive, has not commented on the merger in public.",
    ),
    (
        "Police said the bridge will reopen to traffic on Monday.",
        "The bridge will reopen to traffic on Monday, police said.",
    ),
]


@pytest.mark.parametrize(("one", "two"), NOT_SUPPORT)
def test_claims_overlap_without_the_same_statement_is_not_support(one, two):
    # the overlap alone would link them: the structure is what keeps them apart
    assert similarity_matrix([statement_terms(one), statement_terms(two)])[0, 1] >= 0.36
    assert not supports(one, two)
    claims = find_claims([_art("x", one, "Ledger"), _art("y", two, "Post")], story_id="s")
    assert sorted(c.article_ids for c in claims) == [("x",), ("y",)]
    assert {c.kind for c in claims} == {"single_source"}


@pytest.mark.parametrize(("one", "two"), SUPPORT)
def test_claims_a_paraphrase_by_two_outlets_still_corroborates(one, two):
    assert supports(one, two)
    claims = find_claims([_art("x", one, "Ledger"), _art("y", two, "Post")], story_id="s")
    assert len(claims) == 1
    assert claims[0].kind == "corroborated"
    assert claims[0].sources == ("Ledger", "Post")


def test_claims_a_capitalised_may_is_the_month_not_a_modal():
    one = "The northern army started its siege of Orvel on 5 May, officials said."
    two = "The siege of Orvel by the northern army started on 3 May, officials said."
    assert supports(one, two)
    assert not supports(one, "The northern army may start its siege of Orvel, officials said.")


def test_claims_a_verb_after_a_name_is_no_title():
    # "visited Brask": the verb is what is said of Marrow; two outlets saying it agree
    one = "President Marrow visited Brask on Monday with the army."
    two = "On Monday President Marrow visited Brask, the army said."
    assert supports(one, two)
