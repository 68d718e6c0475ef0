"""Frames that report no statement (issue #18 item 3): negative implicatives, verbs of attempt
or need, particle verbs, object-gap relatives, "no" objects and negated intentions.

Hand-made sentences with fictional names; each has a control that still yields its statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.extract.quotes.find import find_quotes

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.models import Quote


def _quotes(nlp: Language, text: str) -> list[Quote]:
    return find_quotes(nlp(text), "a1")


def _texts(nlp: Language, text: str) -> list[str]:
    return [q.text for q in _quotes(nlp, text)]


def test_negative_implicative_reports_nothing(nlp: Language) -> None:
    text = "Mayor Lena Corvo declined to explain how the bridge budget had doubled."
    assert _texts(nlp, text) == []
    kept = _quotes(nlp, "Mayor Lena Corvo explained that the bridge budget had doubled.")
    assert [q.text.removeprefix("that ") for q in kept] == ["the bridge budget had doubled"]
    assert kept[0].speaker_text == "Mayor Lena Corvo"


def test_coordinated_infinitive_of_a_negative_implicative(nlp: Language) -> None:
    text = "Mayor Lena Corvo refuses to release the audit or explain how the budget doubled."
    assert not any("budget doubled" in t for t in _texts(nlp, text))


def test_verb_of_need_reports_nothing_yet(nlp: Language) -> None:
    text = "Governor Ilse Marrow needs to tell voters the truth about the pension fund."
    assert _texts(nlp, text) == []


def test_particle_makes_another_verb(nlp: Language) -> None:
    text = "Governor Ilse Marrow refused to show up to a hearing of the budget committee."
    assert _texts(nlp, text) == []
    text = "Governor Ilse Marrow called in to a radio show about the harbour tolls."
    assert _texts(nlp, text) == []


def test_phrasal_speech_verb_stays_a_cue(nlp: Language) -> None:
    text = "Governor Ilse Marrow pointed out that the harbour tolls had not risen since 2009."
    quote = next(q for q in _quotes(nlp, text) if "harbour tolls" in q.text)
    assert quote.text.removeprefix("that ") == "the harbour tolls had not risen since 2009"
    assert quote.speaker_text == "Governor Ilse Marrow"


def test_no_object_is_a_negated_frame(nlp: Language) -> None:
    text = "Senator Odo Brannick offered no proof for the claim about the harbour tolls."
    assert _texts(nlp, text) == []


def test_negated_intention_is_no_statement(nlp: Language) -> None:
    text = "Brannick's decision not to publish the audit raises questions about the tolls."
    assert _texts(nlp, text) == []
