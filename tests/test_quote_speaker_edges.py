"""Speaker near misses (issue #18): a name the parser hung on the wrong noun, a suffixed name.

Hand-made sentences with fictional names; each rule has a control whose speaker stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from spacy.tokens import Doc

from storyline.extract.quotes.cue_subject import bare_surnames
from storyline.extract.quotes.find import find_quotes
from storyline.extract.quotes.speakers import collect_people, last_key

if TYPE_CHECKING:
    from spacy.language import Language


def _speakers(nlp: Language, text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in find_quotes(nlp(text), "a1")]


def test_name_running_up_to_the_cue_is_its_subject(nlp: Language) -> None:
    text = (
        "To understand the real Ada Lind, Justice Anya Verhoef said, one should visit the "
        "harbour museum."
    )
    assert [s for s, _ in _speakers(nlp, text)] == ["Anya Verhoef"]


@pytest.mark.parametrize(
    "text",
    [
        "Ada Lind, the harbour judge, said one should visit the harbour museum.",
        "Ada Lind, Justice Anya Verhoef, said one should visit the harbour museum.",
    ],
)
def test_appositive_closed_by_a_comma_leaves_the_subject(nlp: Language, text: str) -> None:
    assert _speakers(nlp, text) == [("Ada Lind", "one should visit the harbour museum")]


def test_generational_suffix_is_not_the_surname(nlp: Language) -> None:
    text = (
        "Judge Marcus T. Oyelaran Jr. opened the session. Later, Oyelaran said the harbour "
        "court would sit in June."
    )
    assert _speakers(nlp, text) == [
        ("Marcus T. Oyelaran Jr", "the harbour court would sit in June")
    ]
    assert last_key("Marcus T. Oyelaran Jr.") == last_key("Oyelaran") == "oyelaran"
    # a surname that is all there is stays the key; "Ives" is no suffix
    assert last_key("Jr") == "jr"
    assert last_key("Charles Ives") == "ives"


def test_subject_after_a_subordinator_read_as_a_preposition(nlp: Language) -> None:
    # the parser makes "Tomas Reyes" the object of "as" and "said" a conjunct of "wearing";
    # with no "and"/"but" before it, the verb is the subordinate clause's, Reyes its subject
    text = (
        "Protest is patriotism, whether it was marching on a pier or wearing a shirt with the "
        "words ''Let us sail,'' as Tomas Reyes, lying on a dock in Velmont, said before he died."
    )
    assert _speakers(nlp, text) == [("Tomas Reyes", "Let us sail,")]


def test_a_conjunct_after_and_keeps_the_shared_subject(nlp: Language) -> None:
    text = (
        "Mayor Dana Holt visited the harbour after the storm, and cited complaints about the "
        "harbour fees."
    )
    assert _speakers(nlp, text) == [("Dana Holt", "complaints about the harbour fees")]


def test_a_lone_surname_tagged_as_a_place_is_the_person_named_in_full(nlp: Language) -> None:
    # the tagger reads the bare "Feld" as a GPE; the article named Jonas Feld a person
    words = ["Jonas", "Feld", "spoke", ".", "Feld", "rejects", "that", "."]
    doc = Doc(
        nlp.vocab,
        words=words,
        pos=["PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB", "PRON", "PUNCT"],
        deps=["compound", "nsubj", "ROOT", "punct", "nsubj", "ROOT", "dobj", "punct"],
        heads=[1, 2, 2, 2, 5, 5, 5, 5],
        ents=["B-PERSON", "I-PERSON", "O", "O", "B-GPE", "O", "O", "O"],
    )
    assert bare_surnames(doc, {"feld": "Jonas Feld"}) == [(4, "Feld", True)]
    people = collect_people(doc)
    assert (4, "Feld", True) in people.subjects
    assert (4, "Feld", False) not in people.subjects  # no second, non-person reading


def test_a_longer_place_name_ending_in_a_surname_stays_a_place(nlp: Language) -> None:
    # control: "Port Feld" (two words, one GPE) is a place even beside a Jonas Feld
    words = ["Jonas", "Feld", "spoke", ".", "Port", "Feld", "flooded", "."]
    doc = Doc(
        nlp.vocab,
        words=words,
        pos=["PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT"],
        deps=["compound", "nsubj", "ROOT", "punct", "compound", "nsubj", "ROOT", "punct"],
        heads=[1, 2, 2, 2, 5, 6, 6, 6],
        ents=["B-PERSON", "I-PERSON", "O", "O", "B-GPE", "I-GPE", "O", "O"],
    )
    assert bare_surnames(doc, {"feld": "Jonas Feld"}) == []
    assert (4, "Port Feld", False) in collect_people(doc).subjects


def test_he_after_a_titled_name_the_tagger_missed_is_that_person(nlp: Language) -> None:
    # no PERSON tag on "Belka Varo"; the title before the two-word name makes them a person,
    # so "He said" is Varo, not the spokesman quoted two paragraphs earlier
    text = (
        '"We will keep looking until everyone is found," said police spokesman Arvid Lenn.\n\n'
        "About 900 people spent the night in shelters. Roads north of the town remained "
        "closed.\n\n"
        "Minister of Transport and Housing Belka Varo said the state would pay for hotel rooms "
        "for every family. He said engineers had closed the bridge overnight."
    )
    said = {t: s for s, t in _speakers(nlp, text)}
    assert said["engineers had closed the bridge overnight"] is not None
    assert said["engineers had closed the bridge overnight"].endswith("Varo")
    assert said["We will keep looking until everyone is found,"] == "Arvid Lenn"
