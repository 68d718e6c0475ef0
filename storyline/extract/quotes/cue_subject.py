"""Cues and subjects of direct quotes beyond the nearest words (split from ``direct``).

A long apposition between a quote and its verb, a document that "reads" its words, and words
of another quoted stretch that the parser took for a subject.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.text.cues import SPEECH_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from storyline.extract.quotes.marks import QuotedSpan


def reads(verb: Token) -> bool:
    """Return True for intransitive "read" after a quote: '"...," the letter reads'.

    A document "reads" its words the way a person says them; with an object ("read the
    statement") the verb is no cue after a quote.
    """
    return verb.lemma_.lower() == "read" and not any(c.dep_ == "dobj" for c in verb.children)


def subject_verb(after: Span) -> Token | None:
    """Return the speech verb whose subject opens the words after a closing mark.

    '"...," Scott Pruitt, the Republican attorney general of Oklahoma, said': a long apposition
    puts the verb past the usual gap, but the name right after the mark is still its subject
    (general English syntax: the subject phrase holds its apposition).
    """
    words = [t for t in after[:3] if not (t.is_punct or t.is_space)]
    if not words or words[0].pos_ not in {"PROPN", "NOUN", "DET"}:
        return None
    head = words[0]
    while head.dep_ in {"compound", "flat", "det", "amod", "poss"} and head.head.i > head.i:
        head = head.head
    verb = head.head
    if (
        head.dep_ == "nsubj"
        and verb.i > head.i
        and verb.lemma_.lower() in SPEECH_VERBS
        and verb.pos_ in {"VERB", "AUX"}
        and "\n" not in after.doc[head.i : verb.i].text
    ):
        return verb
    return None


def quoted(spans: list[QuotedSpan], span: QuotedSpan, char: int) -> bool:
    """Return True when a character lies in this quote or in another one beside it.

    A quote that encloses ``span`` does not count: a nested quote's speaker is named inside its
    parent ('"... Assad said: 'I am fine with that' ..."').
    """
    return any(
        s.start <= char < s.end and (s is span or not s.start <= span.start < s.end) for s in spans
    )


def free_adjunct_of(verb: Token) -> Token | None:
    """Return the verb right before ', adding' / ', going on to say' that controls it.

    '"...," Sanders said, going on to say that ...': a participle clause after "said," is a free
    adjunct whose subject is the subject of "said" (English free adjuncts are controlled by the
    clause they follow); the parser often hangs it on a verb inside the next quotation instead.
    """
    doc = verb.doc
    if verb.tag_ != "VBG" or verb.i < 2 or doc[verb.i - 1].text != ",":
        return None
    said = doc[verb.i - 2]
    if (
        said.pos_ != "VERB"
        or said.i == verb.head.i
        or not any(c.dep_ in {"nsubj", "nsubjpass"} for c in said.children)
    ):
        return None
    return said
