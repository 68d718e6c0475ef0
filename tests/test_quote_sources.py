"""Reported speech whose form hides its cue or its source (issue #18, recall of indirect quotes).

Passive stance verbs ("was reported by"), passive "as" clauses ("as stated in"), nouns of saying
with a "from" phrase, "made it clear", a cue read as a noun ("X charges that"), a clause a
preposition holds that mentions a time, and a sentence the parser cut without a stop mark.
Hand-made sentences with fictional names; each rule has a control that must not yield it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Doc

from storyline.extract.quotes.find import find_quotes

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.models import Quote


def _quotes(nlp: Language, text: str) -> list[Quote]:
    return find_quotes(nlp(text), "a1")


def _said(nlp: Language, text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker_text, q.text) for q in _quotes(nlp, text)]


def test_passive_stance_verb_reports_its_subject(nlp: Language) -> None:
    text = "The tunnel leak was first reported by the Harbour Gazette."
    assert _said(nlp, text) == [("the Harbour Gazette", "The tunnel leak")]
    text = "Calls for a public inquiry were rejected by the Velmont city council."
    assert _said(nlp, text) == [("the Velmont city council", "Calls for a public inquiry")]


def test_passive_of_a_listener_verb_or_a_bare_stance_is_no_statement(nlp: Language) -> None:
    # the passive subject of "tell" is who was told; of "endorse", a bare name (as in the active)
    assert _said(nlp, "Mayor Lena Corvo was told by her aides.") == []
    assert _said(nlp, "Mayor Lena Corvo was endorsed by the Harbour Gazette.") == []


def test_passive_as_clause_names_its_source(nlp: Language) -> None:
    text = "As stated in Orla Penn's column, there are many questions about the harbour contract."
    said = _said(nlp, text)
    assert len(said) == 1
    speaker, content = said[0]
    assert speaker is not None
    assert "Orla Penn" in speaker
    assert content == "there are many questions about the harbour contract"


def test_as_clause_without_a_source_is_no_statement(nlp: Language) -> None:
    assert _said(nlp, "As expected, there are many questions about the harbour contract.") == []


def test_noun_of_saying_takes_its_source_from_a_from_phrase(nlp: Language) -> None:
    text = "The hearing went ahead despite a warning from the harbour board that the tunnel was unsafe."
    assert _said(nlp, text) == [("the harbour board", "that the tunnel was unsafe")]


def test_noun_without_a_source_phrase_is_no_statement(nlp: Language) -> None:
    text = "The hearing went ahead despite a warning that the tunnel was unsafe."
    assert _said(nlp, text) == []


def test_made_it_clear_is_a_statement(nlp: Language) -> None:
    text = "In an interview, Tomas Reyk made it clear he had doubts about the canal tolls."
    assert _said(nlp, text) == [("Tomas Reyk", "he had doubts about the canal tolls")]


def test_negated_or_questioning_made_clear_is_no_statement(nlp: Language) -> None:
    text = "Tomas Reyk did not make it clear which tolls he was referring to."
    assert _said(nlp, text) == []
    text = "Tomas Reyk made it clear which tolls he was referring to."
    assert _said(nlp, text) == []


def test_time_inside_a_prepositional_clause_keeps_the_statement(nlp: Language) -> None:
    text = (
        "Tomas Reyk used the ad against Corvo, accusing her of being asleep when late-night "
        "calls came in during the flood."
    )
    said = _said(nlp, text)
    assert len(said) == 1
    assert said[0][0] == "Tomas Reyk"
    assert "being asleep when late-night calls came in" in said[0][1]


def test_a_duration_is_not_what_was_said(nlp: Language) -> None:
    text = "Mayor Lena Corvo spoke for about five minutes."
    assert _said(nlp, text) == []


# Parses the tagger gets wrong are built by hand: (word, tag, pos, dep, head, lemma, entity).
_Row = tuple[str, str, str, str, int, str, str]


def _built(nlp: Language, rows: list[_Row]) -> list[tuple[str | None, str]]:
    words = [r[0] for r in rows]
    spaces = [n + 1 < len(rows) and rows[n + 1][0] != "." for n in range(len(rows))]
    doc = Doc(
        nlp.vocab,
        words=words,
        spaces=spaces,
        tags=[r[1] for r in rows],
        pos=[r[2] for r in rows],
        deps=[r[3] for r in rows],
        heads=[r[4] for r in rows],
        lemmas=[r[5] for r in rows],
        ents=[r[6] for r in rows],
    )
    return [(q.speaker_text, q.text) for q in find_quotes(doc, "a1")]


def test_cue_read_as_a_noun_takes_its_that_clause(nlp: Language) -> None:
    # "Reyk charges that the tunnel leaked", tagged as a noun phrase with a relative clause and
    # no entity on the name (so no "Reyk charge" of a named party, as "a Times report that")
    rows: list[_Row] = [
        ("Reyk", "NNP", "PROPN", "compound", 1, "Reyk", "O"),
        ("charges", "NNS", "NOUN", "ROOT", 1, "charge", "O"),
        ("that", "IN", "SCONJ", "mark", 5, "that", "O"),
        ("the", "DT", "DET", "det", 4, "the", "O"),
        ("tunnel", "NN", "NOUN", "nsubj", 5, "tunnel", "O"),
        ("leaked", "VBD", "VERB", "acl", 1, "leak", "O"),
        (".", ".", "PUNCT", "punct", 1, ".", "O"),
    ]
    assert _built(nlp, rows) == [("Reyk", "that the tunnel leaked")]
    # control: a relative "that" (the clause's subject, no mark) is no complement
    rows[2] = ("that", "WDT", "PRON", "nsubj", 5, "that", "O")
    rows[3:5] = [
        ("the", "DT", "DET", "det", 4, "the", "O"),
        ("tunnel", "NN", "NOUN", "dobj", 5, "tunnel", "O"),
    ]
    assert _built(nlp, rows) == []


def _cited(stop: bool) -> list[_Row]:
    """Return "Corvo cited disparaging remarks[.] Reyk had made about Penn." cut by the parser."""
    rows: list[_Row] = [
        ("Corvo", "NNP", "PROPN", "nsubj", 1, "Corvo", "B-PERSON"),
        ("cited", "VBD", "VERB", "ROOT", 1, "cite", "O"),
        ("disparaging", "JJ", "ADJ", "amod", 3, "disparaging", "O"),
        ("remarks", "NNS", "NOUN", "dobj", 1, "remark", "O"),
    ]
    if stop:
        rows.append((".", ".", "PUNCT", "punct", 1, ".", "O"))
    n = len(rows)
    return [
        *rows,
        ("Reyk", "NNP", "PROPN", "nsubj", n + 2, "Reyk", "B-PERSON"),
        ("had", "VBD", "AUX", "aux", n + 2, "have", "O"),
        ("made", "VBN", "VERB", "ROOT", n + 2, "make", "O"),
        ("about", "IN", "ADP", "prep", n + 2, "about", "O"),
        ("Penn", "NNP", "PROPN", "pobj", n + 3, "Penn", "B-PERSON"),
        (".", ".", "PUNCT", "punct", n + 2, ".", "O"),
    ]


def test_content_runs_on_past_a_cut_without_a_stop_mark(nlp: Language) -> None:
    said = _built(nlp, _cited(stop=False))
    assert said == [("Corvo", "disparaging remarks Reyk had made about Penn")]
    # control: a sentence that ends with a stop mark ends the content
    assert _built(nlp, _cited(stop=True)) == [("Corvo", "disparaging remarks")]


def test_a_verb_of_doubt_states_its_embedded_question(nlp: Language) -> None:
    # "questioned whether" voices doubt about the answer, a stance; "asked whether" asks
    text = "At a town meeting, Senator Ilse Marrow questioned whether the ferry levy was legal."
    assert _said(nlp, text) == [("Senator Ilse Marrow", "whether the ferry levy was legal")]
    text = "Delegates questioned how the Velmont council could drop its tunnel pledge."
    assert _said(nlp, text) == [
        ("Delegates", "how the Velmont council could drop its tunnel pledge")
    ]


def test_an_asked_question_or_a_discussed_topic_is_no_statement(nlp: Language) -> None:
    assert _said(nlp, "Senator Ilse Marrow asked whether the ferry levy was legal.") == []
    assert _said(nlp, "Senator Ilse Marrow discussed how the ferry levy was spent.") == []
