"""Where a reported clause ends: the words the parser hung on the cue but the speaker said.

The content of an indirect quote is the subtree of the cue's complement. Two of its edges are
the parser's, not the sentence's:

- a quotation opened inside the content is closed inside it: "characterized Kaine as, "a little
  desperate there, jumping in all the time"": the words inside the marks are the speaker's, and
  a content that stops before the closing mark is a fragment of them (and not verbatim);
- a conjunct or focused phrase of the complement that the parser attached to the cue verb
  instead ("said the event brought back memories of her father, and of all the people ...",
  "spoke of the legacy of racism, and how the fight for justice flowed ...", "speaks about
  racial issues, particularly in the context of ..."): the cue verb has no second object of
  its own here, so the phrase continues what was said.

Both rules are English syntax, not fitted on any data set.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from spacy.tokens import Doc, Token

    from storyline.extract.quotes.direct import Attr
    from storyline.extract.quotes.marks import QuotedSpan

# Particularizers: adverbs that narrow what came before to the part they introduce, as in
# 'issues, particularly in the context of'. Quirk, Greenbaum, Leech & Svartvik, A
# Comprehensive Grammar of the English Language (1985), 8.116 (restrictive subjuncts).
PARTICULARIZERS = frozenset(
    {
        "chiefly",
        "especially",
        "largely",
        "mainly",
        "mostly",
        "notably",
        "particularly",
        "primarily",
        "principally",
        "specifically",
    }
)
# Words that open an interrogative (wh-) clause, which can be coordinated with a noun phrase
# object of a verb of saying ("spoke of X and how Y"): English closed class, not fitted.
_WH_OPENERS = frozenset({"how", "what", "why", "whether"})
_CLOSERS = "”\"'’»"
_CC = frozenset({"and", "or"})
_LEAD = re.compile(r"[ \t]*([:,])[ \t]*(?=[\"“'‘])")


def widen_content(
    doc: Doc, attrs: Sequence[Attr], spans: Sequence[QuotedSpan]
) -> list[tuple[int, int]]:
    """Widen indirect contents in place past the edges the parser misplaced (module docstring).

    Only a content that is one plain span of the article (``text`` equal to the slice) is
    widened, so every record stays verbatim; a widening never reaches another attribution's cue.
    Returns the char ranges added to contents: a quotation inside one is part of that content.
    """
    added: list[tuple[int, int]] = []
    text = spk.doc_text(doc)
    cues = {a.cue.i for a in attrs if a.cue is not None}
    opened = sorted((s.start, s.end) for s in spans)
    starts = [s for s, _ in opened]
    for attr in attrs:
        if attr.kind != "indirect" or attr.cue is None or text[attr.start : attr.end] != attr.text:
            continue
        end = _coordinated_tail(doc, attr, cues - {attr.cue.i})
        ahead = opened[bisect_right(starts, attr.start - 1) :]
        end = _close_quotation(text, end, ahead)
        end = _colon_quotation(text, end, ahead)
        if end > attr.end:
            added.append((attr.start, end))
            attr.end = end
            attr.text = text[attr.start : end]
    return added


def _coordinated_tail(doc: Doc, attr: Attr, other_cues: set[int]) -> int:
    """Return the content end moved past a continuation hung on the cue verb, if any."""
    verb = attr.cue
    assert verb is not None  # checked by the caller
    inside = [t for t in verb.sent if attr.start <= t.idx < attr.end and not t.is_space]
    if not inside or verb.i > inside[0].i:
        return attr.end  # a fronted content ("X, he said") has no tail after the cue
    n = inside[-1].i + 1
    sent_end = verb.sent.end
    while n < sent_end and doc[n].is_punct and doc[n].text not in {",", "--", "—"}:
        n += 1  # closing marks of the content
    if n < sent_end and doc[n].text == ",":
        n += 1
    if n >= sent_end:
        return attr.end
    first = doc[n]
    linked = first.lower_ in _CC and first.head.i == verb.i
    if linked:
        n += 1
    phrase = next(
        (c for c in verb.rights if n < sent_end and c.left_edge.i == n and c.i >= n),
        None,
    )
    if phrase is None or not _continues(phrase, inside, linked=linked):
        return attr.end
    tail = list(phrase.subtree)
    if any(t.i in other_cues for t in tail):
        return attr.end  # the tail holds a report of its own
    p_end = spk.paragraph_bounds(doc, verb.idx)[1]
    last = max((t for t in tail if not t.is_space), key=lambda t: t.i)
    return max(attr.end, min(last.idx + len(last), p_end))


def _continues(phrase: Token, inside: list[Token], *, linked: bool) -> bool:
    """Return True when a dependent of the cue verb continues the content before it."""
    if linked and (phrase.dep_ == "prep" or phrase.tag_ == "IN"):
        # "memories of her father, and of all the people": the same preposition again (the
        # parser labels it "prep" or "conj")
        return any(t.dep_ == "prep" and t.lower_ == phrase.lower_ for t in inside)
    if linked and phrase.dep_ == "conj":
        # "spoke of X, and how the fight ... flowed": a wh-clause is a second object, not a
        # second act of the speaker
        return phrase.left_edge.lower_ in _WH_OPENERS
    if not linked and phrase.dep_ == "prep" and phrase.tag_ == "IN":
        # "issues, particularly in the context of ...": a prepositional phrase narrowing the
        # content; a clause ("especially given that ...") is as often the writer's comment
        return phrase.left_edge.lower_ in PARTICULARIZERS and any(
            c.dep_ == "pobj" for c in phrase.children
        )
    return False


def _colon_quotation(text: str, end: int, spans: Sequence[tuple[int, int]]) -> int:
    """Return ``end`` moved past a quotation the content introduces with a colon or comma.

    'said she has the essential quality for the job: "Steadiness ..."': the quotation after
    the colon is the words the clause announces, one statement with it (a mixed quote). After a
    comma only a quotation opening in lower case continues the clause ('would owe $212 billion,
    "equal to the entire state budgets ..."'); a capital opens a sentence of its own.
    """
    lead = _LEAD.match(text, end)
    if lead is None:
        return end
    for q_start, q_end in spans:
        if q_start > lead.end() + 2:
            break
        if (
            lead.end() < q_start
            and "\n" not in text[end:q_end]
            and (lead.group(1) == ":" or text[q_start : q_start + 1].islower())
        ):
            return _past_closer(text, q_end)
    return end


def _past_closer(text: str, q_end: int) -> int:
    """Return the char after the closing mark (one or two characters) at ``q_end``."""
    close = q_end
    while close < len(text) and close - q_end < 2 and text[close] in _CLOSERS:
        close += 1
    return close


def _close_quotation(text: str, end: int, spans: Sequence[tuple[int, int]]) -> int:
    """Return ``end`` moved past the closing mark of a quotation the content opened.

    ``spans`` are the (start, end) of quoted stretches (marks excluded) from the content's start
    on, in order of their start.
    """
    for q_start, q_end in spans:
        if q_start >= end:
            break
        if end <= q_end and "\n" not in text[end:q_end]:
            return _past_closer(text, q_end)
    return end


# Subordinators that open an adverbial clause, never a reported one: a clause of saying is
# introduced by "that", "whether"/"if", a wh-word or nothing (English grammar, Quirk et al.
# 1985, 15.3 and 14.12; not fitted on any data set).
ADVERBIAL_MARKS = frozenset(
    "after although because before once since though unless until".split()  # noqa: SIM905
)


def adverbial(clause: Token) -> bool:
    """Return True for a clause the parser hung on a cue as its complement that is an adverbial.

    '... as Eric Garner said before he died': "before he died" is when he said it, not what.
    """
    return any(c.dep_ == "mark" and c.lower_ in ADVERBIAL_MARKS for c in clause.children)
