"""Speech introduced by a colon at a paragraph break: "The governor added:" and what follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.direct import Attr, cue_phrase
from storyline.extract.quotes.frames import cue_lemma
from storyline.text.cues import SPEECH_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Characters that open a quotation: a paragraph opening with one is a direct quote.
QUOTE_OPENERS = frozenset("\"“‘'«")
# A "subject" the parser found that names a time ("5:45 p.m."), never a speaker.
_NOT_SPEAKERS = frozenset({"TIME", "DATE"})
# Structural bounds of "X added:" + paragraph, by hand (not fitted): the colon within a short cue
# clause ("said in an interview on Monday:") and a paragraph of a few words at least.
_CUE_TO_COLON = 8
_BLOCK_MIN_WORDS = 3


def colon_block(doc: Doc, verb: Token) -> Attr | None:
    """Return the paragraph a speech verb introduces with a colon ("The governor added:").

    A cue clause that ends in a colon at a paragraph break introduces the next paragraph as
    what was said; one opening with a quote mark is a direct quote, found from its marks.
    """
    if cue_lemma(verb) not in SPEECH_VERBS:
        return None
    # "added:", "said in an interview:": a few words of the cue clause, then the colon
    colon = next((t for t in doc[verb.i + 1 : verb.i + _CUE_TO_COLON] if t.text == ":"), None)
    if colon is None or any(t.pos_ in {"VERB", "AUX"} for t in doc[verb.i + 1 : colon.i]):
        return None
    head = spk.subject_of(verb)
    if head is None or head.ent_type_ in _NOT_SPEAKERS:
        return None
    text = spk.doc_text(doc)
    rest = text[colon.idx + 1 :]
    if not rest.lstrip(" \t").startswith("\n"):
        return None
    start = len(text) - len(rest.lstrip())
    if start >= len(text) or text[start] in QUOTE_OPENERS:
        return None
    _, end = spk.paragraph_bounds(doc, start)
    end = start + len(text[start:end].rstrip())
    if len(text[start:end].split()) < _BLOCK_MIN_WORDS:
        return None
    span = spk.speaker_span(doc, head)
    return Attr(start, end, text[start:end], "indirect", verb, cue_phrase(verb), head, span)
