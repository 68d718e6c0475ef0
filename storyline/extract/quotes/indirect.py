"""Indirect quotes: reporting verbs with their clause, and related attribution forms.

Also stance verbs with their object, "according to", nouns of saying ("the claim that") and the
"NAME: words" lines of interview transcripts.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.blocks import colon_block
from storyline.extract.quotes.content import adverbial
from storyline.extract.quotes.direct import Attr, cue_phrase
from storyline.extract.quotes.frames import (
    ASKING,
    DOUBTING,
    QUESTION_WORDS,
    coordinated_objects,
    cue_lemma,
    finite_clause,
    gapped,
    inverted_host,
    is_time,
    loose_clause,
    made_clear,
    marked_that,
    negated,
    other_verb,
    own_report,
    predicative,
    question,
    reason_clause,
    run_on,
    source_noun,
    states,
    that_clause,
    unreal,
    verb_as_noun,
    without_glosses,
)
from storyline.extract.quotes.sourced import passive_object, passive_source
from storyline.text.cues import (
    AS_VERBS,
    CLAUSE_CUES,
    CUE_ADJECTIVES,
    CUE_NOUNS,
    DOCUMENT_NOUNS,
    INTENT_NOUNS,
    OBJECT_VERBS,
    REPORT_VERBS,
    TOPIC_VERBS,
    WEAK_CUES,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from spacy.tokens import Doc, Token

_CLAUSE_DEPS = frozenset({"ccomp"})
_NOT_SPEAKERS = frozenset({"TIME", "DATE"})
# Dependents of a clause that a parenthetical cue can hang on instead of the clause's verb.
_HOST_DEPS = frozenset({"nsubj", "nsubjpass", "attr", "dobj"})
_PARTIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})


class SpanIndex:
    """Attributions sorted by start, to find those touching a char range by bisection.

    Checking every new attribution against every earlier one made a long transcript quadratic;
    only the few whose span can reach the range are looked at.
    """

    def __init__(self, attrs: Iterable[Attr]) -> None:
        """Index ``attrs`` by their content span."""
        self.attrs = sorted(attrs, key=lambda a: a.start)
        self.starts = [a.start for a in self.attrs]
        self.longest = max((a.end - a.start for a in self.attrs), default=0)

    def touching(self, start: int, end: int) -> list[Attr]:
        """Return the attributions whose span shares a character with ``[start, end)``."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, max(end, start + 1))
        return [a for a in self.attrs[lo:hi] if a.end > start]

    def overlapping(self, attr: Attr) -> list[Attr]:
        """Return the indexed attributions that ``overlaps`` this one."""
        return [a for a in self.touching(attr.start, attr.end) if overlaps(attr, a)]


class CharRanges:
    """Sorted char ranges, to ask whether a character lies inside any of them in log time."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Merge ``ranges`` (start, end) into disjoint sorted ranges."""
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [r[0] for r in merged]
        self.ends = [r[1] for r in merged]

    def __contains__(self, char: int) -> bool:
        """Return True when ``char`` lies in one of the ranges."""
        n = bisect_left(self.starts, char + 1) - 1
        return n >= 0 and char < self.ends[n]


def find_indirect(
    doc: Doc,
    taken: list[Attr],
    quoted: list[tuple[int, int]],
    frames: list[Attr] | None = None,
) -> list[Attr]:
    """Return reporting-verb and "according to" attributions outside quote marks.

    ``frames``, when given, receives the frames dropped as no statement ("urged Congress to
    ..."), without content: their subject still spoke, and a later "they said" may be them.
    """
    cues = {a.cue.i for a in taken if a.cue is not None}
    verbs = (REPORT_VERBS | OBJECT_VERBS) - WEAK_CUES
    out: list[Attr] = []
    inside = CharRanges(quoted)
    index = SpanIndex(taken)
    for token in doc:
        if token.idx in inside:
            continue
        if (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            attr = _according(doc, token)
        elif token.lower_ == "in" and token.dep_ == "prep" and source_noun(token) is not None:
            attr = _in_source(doc, token)
        elif (
            token.pos_ == "VERB"
            and token.i not in cues
            and cue_lemma(token) in AS_VERBS
            and any(_as_mark(c, token) for c in token.lefts)
        ):
            attr = _as_put(doc, token)
        elif (
            (token.pos_ == "VERB" or verb_as_noun(token))
            and (
                cue_lemma(token) in verbs
                or cue_lemma(token) in TOPIC_VERBS
                or (cue_lemma(token) in CLAUSE_CUES and finite_clause(token) is not None)
                or predicative(token)
            )
        ) or (token.pos_ == "ADJ" and token.lower_ in CUE_ADJECTIVES):
            attr = _reported(doc, token, frames)
            # '"One giant assumption," Ortiz said of the plan': the verb's content is the quote
            # it cues; what is left ("of the plan") is no statement
            if (
                attr is not None
                and token.i in cues
                and not any(c.dep_ in _CLAUSE_DEPS for c in token.children)
            ):
                attr = None
        elif token.pos_ == "NOUN" and token.lemma_.lower() in CUE_NOUNS | INTENT_NOUNS:
            attr = _noun_cue(doc, token)
        elif token.lower_ in {"made", "make", "makes", "making"} and (said := made_clear(token)):
            head = spk.subject_of(token)
            if head is None or unreal(token) or negated(token) or head.i in {t.i for t in said}:
                continue
            attr = _indirect(doc, said, token, cue_phrase(token), head)
        else:
            continue
        if attr is None or any(not inside_small(t, attr) for t in index.overlapping(attr)):
            continue
        out.append(attr)
    return out


def unembedded(attrs: list[Attr]) -> list[Attr]:
    """Return the attributions whose cue is not inside another one's content.

    "Sanders said the figures show that ...": the report inside a reported clause is part of
    what the outer speaker said; as a record of its own it names "the figures" as a source the
    article never quoted. Dropping these on the PolNeAR dev split removed 75 records, 63 of
    them not gold attributions (precision 0.791 -> 0.826, recall 0.566 -> 0.560).
    """
    index = SpanIndex(attrs)
    return [
        a
        for a in attrs
        if a.cue is None
        or not any(
            o is not a and o.start <= a.cue.idx < o.end
            for o in index.touching(a.cue.idx, a.cue.idx + 1)
        )
    ]


def _as_mark(child: Token, verb: Token) -> bool:
    """Return True for the "as" of "as Z put it", not the "As for" of a topic ("As for X, ...")."""
    # "as evidence of X, experts say ...": a preposition with its object, not the "as" of a clause
    return (
        child.lower_ == "as"
        and child.i < verb.i
        and not any(g.lower_ in {"for", "to", "of"} or g.dep_ == "pobj" for g in child.children)
    )


def inside_small(inner: Attr, outer: Attr) -> bool:
    """Return True for a short quoted phrase inside a longer reported clause.

    The phrase's own closing marks and final stop ('answers."') may stand past the clause's
    last word: they close the phrase, not a second statement.
    """
    closing = len(inner.text) - len(inner.text.rstrip("\"”’'.,!?"))
    return (
        outer.start <= inner.start
        and inner.end - closing <= outer.end + 1
        and 2 * (inner.end - inner.start) < outer.end - outer.start
    )


def overlaps(a: Attr, b: Attr) -> bool:
    """Return True when two contents share more than half of the shorter one."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter > 0.5 * min(a.end - a.start, b.end - b.start)


def _clause_span(tokens: list[Token], anchor: Token) -> tuple[int, int] | None:
    """Return the char span of a clause's tokens inside the anchor's paragraph."""
    p_start, p_end = spk.paragraph_bounds(anchor.doc, anchor.idx)
    words = [
        t
        for t in tokens
        if (not t.is_punct or t.text in '"“”‘’%$') and p_start <= t.idx < p_end and not t.is_space
    ]
    if not words:
        return None
    start, end = min(t.idx for t in words), max(t.idx + len(t) for t in words)
    return start, _close_brackets(spk.doc_text(anchor.doc), start, end, p_end)


def _close_brackets(text: str, start: int, end: int, limit: int) -> int:
    """Return ``end`` moved past the closing marks of brackets the span opens ("(IS)")."""
    for opening, closing in ("()", "[]"):
        depth = text.count(opening, start, end) - text.count(closing, start, end)
        while depth > 0:
            found = text.find(closing, end, limit)
            if found < 0:
                break
            end = found + 1
            depth = text.count(opening, start, end) - text.count(closing, start, end)
    return end


def _reported(doc: Doc, verb: Token, frames: list[Attr] | None = None) -> Attr | None:
    """Return the attribution of a reporting verb with a clausal complement."""
    if unreal(verb) or negated(verb) or other_verb(verb) or gapped(verb):
        return None
    block = colon_block(doc, verb)
    if block is not None:
        return block
    # "It's unlikely; Clinton's team says she'll continue": of two clauses, the one after the
    # verb is its complement
    clauses = [
        c
        for c in verb.children
        if c.dep_ in _CLAUSE_DEPS or (verb.pos_ != "VERB" and that_clause(c))
    ] or loose_clause(verb)
    clause = next((c for c in clauses if c.i > verb.i), clauses[0] if clauses else None)
    if clause is not None and clause.i < verb.i and marked_that(verb):
        return None  # "X continues to insist, ..., that he wants": the parser turned it around
    inverted = inverted_host(verb) if clause is None else None
    if inverted is not None:
        # "X continues to insist, most recently in ..., that he wants ...": what was said is the
        # "that" clause the parser made the head, without the cue clause it hung on it
        own = {t.i for t in inverted[0].subtree}
        tokens = [t for t in inverted[1].subtree if t.i not in own]
        head = spk.subject_of(verb)
        if head is None or head.i in {t.i for t in tokens}:
            return None
        return _indirect(doc, tokens, verb, cue_phrase(verb), head)
    if clause is not None and adverbial(clause):
        return None  # "said before he died": when it was said, not what
    if clause is not None and question(clause) and cue_lemma(verb) in ASKING:
        return None  # "asked whether ...": a question, not a statement
    if clause is not None:
        tokens = own_report(clause) + reason_clause(verb, clause)
    elif verb.dep_ == "parataxis" and cue_lemma(verb) in REPORT_VERBS:
        # "The benefit, it says, would be $300": the clause around the cue is the content.
        own = {t.i for t in verb.subtree}
        top = verb.head
        # "Though X was seamless, he said, replacing her would be ...": the parser hangs the cue
        # on the fronted clause; what was said is the whole sentence around it
        while top.dep_ in {"advcl", "csubj"} and top.head.i != top.i:
            top = top.head
        # "The difference now, he told me, is that ...": the parser hangs the cue on the subject
        # noun; the host clause is the verb that noun belongs to
        while top.pos_ not in {"VERB", "AUX"} and top.dep_ in _HOST_DEPS and top.head.i != top.i:
            top = top.head
        tokens = [t for t in top.subtree if t.i not in own]
    elif (passive := passive_object(verb)) is not None:
        tokens, head = passive
        if not tokens:
            return None
        return _indirect(doc, tokens, verb, cue_phrase(verb), head)
    elif cue_lemma(verb) in OBJECT_VERBS or cue_lemma(verb) in TOPIC_VERBS or predicative(verb):
        tokens = _complement(verb) or _fronted(verb)
    else:
        tokens = _fronted(verb)
    head = spk.subject_of(verb)
    if head is None and verb.dep_ == "acl" and verb.tag_ == "VBG":
        head = _document_author(verb.head)
    if clause is None and head is not None and not states(verb, head):
        if frames is not None:
            span = spk.speaker_span(doc, head)
            frames.append(Attr(verb.idx, verb.idx, "", "indirect", verb, verb.text, head, span))
        return None
    if not tokens or head is None or head.i in {t.i for t in tokens}:
        return None
    if head.ent_type_ in _NOT_SPEAKERS:  # "5:45 p.m." parsed as the subject
        return None
    attr = _indirect(doc, tokens, verb, cue_phrase(verb), head)
    first = attr.text.split(maxsplit=1)[0].casefold() if attr is not None else ""
    if first in QUESTION_WORDS and (
        clause is None or cue_lemma(verb) not in REPORT_VERBS | DOUBTING
    ):
        return None  # "discussed what happens next": a topic, not a statement
    if attr is not None and verb.dep_ == "parataxis" and clause is None:
        attr.text = _without(doc, attr.start, attr.end, verb)
    return attr


def _document_author(noun: Token) -> Token | None:
    """Return who issued the text a participle hangs on: "the council issued a statement calling".

    The participle has no subject of its own; the statement's (letter's, news conference's) author
    is the subject of the verb that has it as object ("issued", "sent") or that the phrase with it
    modifies ("she said at a news conference announcing ...", "In a statement announcing the pick,
    the union called ...").
    """
    if noun.lemma_.lower() not in DOCUMENT_NOUNS:
        return None
    host = noun.head
    if noun.dep_ == "pobj" and host.dep_ == "prep":
        host = host.head
    elif noun.dep_ != "dobj":
        return None
    if host.pos_ not in {"VERB", "AUX"} or host.i == noun.i:
        return None
    return spk.subject_of(host)


def _indirect(doc: Doc, tokens: list[Token], cue: Token, cue_text: str, head: Token) -> Attr | None:
    """Return an indirect attribution whose content is these tokens in the cue's paragraph."""
    span = _clause_span(tokens + run_on(cue, tokens), cue)
    if span is None:
        return None
    start, end = span
    text = spk.doc_text(doc)[start:end]
    return Attr(start, end, text, "indirect", cue, cue_text, head, spk.speaker_span(doc, head))


def _without(doc: Doc, start: int, end: int, verb: Token) -> str:
    """Return a content span's text without the cue clause inside it ("X, he said, is Y")."""
    full = spk.doc_text(doc)
    left, right = verb.left_edge.idx, verb.right_edge.idx + len(verb.right_edge)
    if not start < left < right < end:
        return full[start:end]
    return f"{full[start:left].rstrip(' ,—')} {full[right:end].lstrip(' ,—')}"


def _as_put(doc: Doc, verb: Token) -> Attr | None:
    """Return the attribution of "X is Y, as Z put it" or "As Z noted, X is Y"."""
    mark = next((c for c in verb.lefts if c.lower_ == "as"), None)
    sent = verb.sent
    if mark is None or not (mark.i == sent.start or doc[mark.i - 1].text in {",", "(", "—"}):
        return None  # "as promised" inside a clause is not an attribution
    nouns = [t for t in doc[mark.i + 1 : verb.i] if t.pos_ in {"NOUN", "PROPN", "PRON"}]
    head = nouns[-1] if nouns else passive_source(verb)
    if head is None:
        return None
    stop = next((t.i for t in doc[verb.i : sent.end] if t.text in {",", ";", "—"}), sent.end)
    if stop == sent.end and mark.i == sent.start:
        return None
    tokens = [t for t in sent if not mark.i <= t.i <= stop and not t.is_space]
    if sum(t.is_alpha for t in tokens) < 3:
        return None
    attr = _indirect(doc, tokens, verb, cue_phrase(verb), head)
    if attr is not None and attr.start < mark.idx and stop < sent.end and attr.end > doc[stop].idx:
        # "Hawaii, as one adviser pointed out, normally ...": the two pieces join.
        full = spk.doc_text(doc)
        before = full[attr.start : mark.idx].rstrip(" ,(—")
        attr.text = f"{before} {full[doc[stop].idx + 1 : attr.end].strip()}"
    return attr


def _fronted(verb: Token) -> list[Token]:
    """Return the fronted statement of "People like Scott, he said.": the words before the comma."""
    subject = next((c for c in verb.lefts if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subject is None or any(c.dep_ in _CLAUSE_DEPS for c in verb.rights):
        return []
    first = subject.left_edge.i
    comma = verb.doc[first - 1] if first > verb.sent.start else None
    if comma is None or comma.text != ",":
        return []
    tokens = [t for t in verb.doc[verb.sent.start : comma.i] if not t.is_space]
    roots = [t for t in tokens if not verb.sent.start <= t.head.i < comma.i or t.head.i == t.i]
    # "On Thursday, she said" or "If elected, he said" front an adverbial, not the statement.
    if not roots or any(r.dep_ not in {"dep", "ccomp", "parataxis"} for r in roots):
        return []
    return tokens if sum(t.is_alpha for t in tokens) >= 2 else []


def _noun_cue(doc: Doc, noun: Token) -> Attr | None:
    """Return the attribution of "Clinton's claim that ..." or "X made the argument that ..."."""
    # a "that" clause the parser read as a relative clause still has "that" as its mark
    clause = next((c for c in noun.children if c.dep_ in {"ccomp", "acl", "relcl"}), None)
    if clause is None:
        return None
    marked = any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)
    # "Obama's decision to jump-start relations": an intention noun with its infinitive.
    intent = (
        noun.lemma_.lower() in INTENT_NOUNS
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)
        and not negated(clause)  # "his decision not to come clean": nothing he will do or say
    )
    if not (marked or intent):
        return None
    head = next((c for c in noun.children if c.dep_ == "poss"), None)
    if head is None:
        # "a New York Times report that ...": a named modifier is whose report it is
        head = next(
            (c for c in noun.lefts if c.dep_ in {"compound", "nmod"} and c.ent_type_ in _PARTIES),
            None,
        )
    if head is None:
        head = passive_source(noun)
    if head is None and noun.dep_ in {"dobj", "attr"}:
        head = spk.subject_of(noun.head)
    if head is None:
        return None
    return _indirect(doc, list(clause.subtree), noun, noun.text, head)


def _complement(verb: Token) -> list[Token]:
    """Return what a stance verb is about: its object, infinitive or "for"/"on" phrase."""
    topic = TOPIC_VERBS.get(cue_lemma(verb))
    preps = topic or {"for", "on", "about", "to", "as", "of"}
    parts = [
        c
        for c in verb.rights
        if (c.dep_ in {"dobj", "xcomp", "oprd"} and topic is None)
        or (c.dep_ == "prep" and c.lower_ in preps and not is_time(c))
    ]
    if any(c.dep_ == "dobj" for c in parts):
        parts += coordinated_objects(verb)
    # "called for new taxes", "spoke of his flights": the preposition belongs to the cue
    tokens = [t for c in parts for t in c.subtree if t.i != c.i or c.dep_ != "prep"]
    tokens = without_glosses(tokens)
    # "Cruz endorsed Trump": one name is a whole stance; one common word is rarely content.
    enough = sum(t.is_alpha for t in tokens) >= 2 or any(t.ent_type_ in _PARTIES for t in tokens)
    return tokens if enough else []


def _according(doc: Doc, token: Token) -> Attr | None:
    """Return the attribution of "according to X, ...": the clause the phrase hangs on."""
    to = doc[token.i + 1]
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    if source is None:
        return None
    phrase = {t.i for t in token.subtree} | {t.i for t in to.subtree}
    clause_head = token.head if token.head.i != token.i else None
    if clause_head is None:
        return None
    tokens = [t for t in clause_head.subtree if t.i not in phrase]
    return _indirect(doc, tokens, token, "according to", source)


def _in_source(doc: Doc, prep: Token) -> Attr | None:
    """Return the attribution of "In this poll, Trump rose 1 point": the clause the phrase is on.

    Only a phrase on a clause's verb: "gains in some polls" (on a noun) reports nothing. The
    record is the source, as "according to" makes its object one.
    """
    source = source_noun(prep)
    host = prep.head
    if source is None or host.pos_ not in {"VERB", "AUX"} or host.i == prep.i:
        return None
    if cue_lemma(host) in REPORT_VERBS | OBJECT_VERBS | AS_VERBS or negated(host):
        return None  # "said in a poll interview": the verb is the cue
    if not any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in host.children):
        return None
    phrase = {t.i for t in prep.subtree}
    tokens = [t for t in host.subtree if t.i not in phrase]
    if sum(t.is_alpha for t in tokens) < 3:
        return None
    return _indirect(doc, tokens, prep, prep.text, source)
