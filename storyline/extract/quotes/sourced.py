"""Attributions whose source stands in a "by" or "from" phrase rather than as a subject.

"The issue was first reported by The Washington Post", "as stated in Davis' commentary, ...",
"warnings from his attorney that ...": the passive's agent, or the phrase that names where a
statement came from, is who said it (English syntax; nothing here is fitted on any data set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.extract.quotes.frames import cue_lemma
from storyline.text.cues import (
    CONTENT_OBJECT_VERBS,
    OBJECT_VERBS,
    RECIPIENT_VERBS,
    SPEECH_VERBS,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

# Prepositions that name where a statement came from: "a warning from his lawyer", "a claim by
# the campaign"; "in" names the text a passive "as" clause points to ("as stated in the report").
_FROM = frozenset({"from", "by"})


def _pobj(prep: Token | None) -> Token | None:
    """Return the object of a preposition (or passive agent), else None."""
    if prep is None:
        return None
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def passive_object(verb: Token) -> tuple[list[Token], Token] | None:
    """Return the object and the source of a passive stance verb: "X was rejected by Y".

    The passive subject is the active verb's object and the "by" agent its subject: "calls for
    a commission were rejected by the council" reports what "the council rejected calls for a
    commission" does. The object is held to the test an active object meets (``states``): a
    bare noun phrase of a verb that is no speech verb ("Clinton was endorsed by the paper") is
    no statement, so the tokens are empty. Verbs whose object is the listener ("Trump was told
    by aides") have no such reading.
    """
    lemma = cue_lemma(verb)
    if lemma not in (OBJECT_VERBS | SPEECH_VERBS) - RECIPIENT_VERBS:
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    source = _pobj(next((c for c in verb.children if c.dep_ == "agent"), None))
    if subject is None or source is None or subject.i > verb.i:
        return None
    bare = subject.pos_ not in {"VERB", "AUX"} and not any(
        c.dep_ in {"ccomp", "xcomp", "acl", "relcl"} for c in subject.children
    )
    if subject.pos_ == "PRON" or (bare and lemma not in SPEECH_VERBS | CONTENT_OBJECT_VERBS):
        return [], source
    tokens = list(subject.subtree)
    return (tokens if sum(t.is_alpha for t in tokens) >= 2 else []), source


def passive_source(cue: Token) -> Token | None:
    """Return who a subjectless cue names as its source: its agent, or a "from"/"in" phrase.

    "as reported by Reuters" and "as stated in Davis' commentary" (a passive "as" clause: the
    agent, or the text it points to), "repeated warnings from his attorney that ..." and "a claim
    by the campaign that ..." (a noun of saying: where it came from).
    """
    if cue.pos_ in {"VERB", "AUX"}:
        if cue.tag_ != "VBN":
            return None
        agent = next((c for c in cue.children if c.dep_ == "agent"), None)
        inside = next((c for c in cue.rights if c.dep_ == "prep" and c.lower_ == "in"), None)
        return _pobj(agent) or _pobj(inside)
    prep = next((c for c in cue.rights if c.dep_ == "prep" and c.lower_ in _FROM), None)
    return _pobj(prep)
