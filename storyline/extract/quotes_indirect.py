"""Indirect quotes: reporting verbs with their clause, and related attribution forms.

Also stance verbs with their object, "according to", nouns of saying ("the claim that") and the
"NAME: words" lines of interview transcripts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from storyline.extract import speakers as spk
from storyline.extract.cues import (
    CUE_ADJECTIVES,
    CUE_NOUNS,
    OBJECT_VERBS,
    REPORT_VERBS,
    WEAK_CUES,
)
from storyline.extract.quotes_direct import Attr, cue_phrase, span_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_CLAUSE_DEPS = frozenset({"ccomp"})
_NOT_SPEAKERS = frozenset({"TIME", "DATE"})


def find_indirect(doc: Doc, taken: list[Attr], quoted: list[tuple[int, int]]) -> list[Attr]:
    """Return reporting-verb and "according to" attributions outside quote marks."""
    cues = {a.cue.i for a in taken if a.cue is not None}
    out: list[Attr] = []
    for token in doc:
        if any(s <= token.idx < e for s, e in quoted):
            continue
        if (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            attr = _according(doc, token)
        elif (
            token.pos_ == "VERB"
            and token.i not in cues
            and token.lemma_.lower() in (REPORT_VERBS | OBJECT_VERBS) - WEAK_CUES
        ) or (token.pos_ == "ADJ" and token.lower_ in CUE_ADJECTIVES):
            attr = _reported(doc, token)
        elif token.pos_ == "NOUN" and token.lemma_.lower() in CUE_NOUNS:
            attr = _noun_cue(doc, token)
        else:
            continue
        if attr is None or any(overlaps(attr, t) for t in taken):
            continue
        out.append(attr)
    return out


def overlaps(a: Attr, b: Attr) -> bool:
    """Return True when two contents share more than half of the shorter one."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter > 0.5 * min(a.end - a.start, b.end - b.start)


def _clause_span(tokens: list[Token], anchor: Token) -> tuple[int, int] | None:
    """Return the char span of a clause's tokens inside the anchor's paragraph."""
    text = spk.doc_text(anchor.doc)
    p_start = text.rfind("\n", 0, anchor.idx) + 1
    p_end = text.find("\n", anchor.idx)
    p_end = len(text) if p_end < 0 else p_end
    words = [
        t
        for t in tokens
        if (not t.is_punct or t.text in '"“”‘’%$') and p_start <= t.idx < p_end and not t.is_space
    ]
    if not words:
        return None
    return min(t.idx for t in words), max(t.idx + len(t) for t in words)


def _reported(doc: Doc, verb: Token) -> Attr | None:
    """Return the attribution of a reporting verb with a clausal complement."""
    clause = next((c for c in verb.children if c.dep_ in _CLAUSE_DEPS), None)
    if clause is not None:
        tokens = list(clause.subtree)
    elif verb.dep_ == "parataxis" and verb.lemma_.lower() in REPORT_VERBS:
        # "The benefit, it says, would be $300": the clause around the cue is the content.
        own = {t.i for t in verb.subtree}
        tokens = [t for t in verb.head.subtree if t.i not in own]
    elif verb.lemma_.lower() in OBJECT_VERBS:
        tokens = _complement(verb)
    else:
        return None
    head = spk.subject_of(verb)
    if not tokens or head is None or head.i in {t.i for t in tokens}:
        return None
    if head.ent_type_ in _NOT_SPEAKERS:  # "5:45 p.m." parsed as the subject
        return None
    span = _clause_span(tokens, verb)
    if span is None:
        return None
    start, end = span
    return Attr(
        start,
        end,
        spk.doc_text(doc)[start:end],
        "indirect",
        verb,
        cue_phrase(verb),
        head,
        spk.speaker_span(doc, head),
        None,
    )


def _noun_cue(doc: Doc, noun: Token) -> Attr | None:
    """Return the attribution of "Clinton's claim that ..." or "X made the argument that ..."."""
    clause = next((c for c in noun.children if c.dep_ in {"ccomp", "acl"}), None)
    if clause is None or not any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children):
        return None
    head = next((c for c in noun.children if c.dep_ == "poss"), None)
    if head is None and noun.dep_ in {"dobj", "attr"}:
        head = spk.subject_of(noun.head)
    if head is None:
        return None
    span = _clause_span(list(clause.subtree), noun)
    if span is None:
        return None
    start, end = span
    return Attr(
        start,
        end,
        spk.doc_text(doc)[start:end],
        "indirect",
        noun,
        noun.text,
        head,
        spk.speaker_span(doc, head),
        None,
    )


def _complement(verb: Token) -> list[Token]:
    """Return what a stance verb is about: its object, infinitive or "for"/"on" phrase."""
    parts = [
        c
        for c in verb.rights
        if c.dep_ in {"dobj", "xcomp", "oprd"}
        or (
            c.dep_ == "prep"
            and c.lower_ in {"for", "on", "about", "to", "as", "of"}
            and not _is_time(c)
        )
    ]
    tokens = [t for c in parts for t in c.subtree]
    return tokens if sum(t.is_alpha for t in tokens) >= 2 else []


def _is_time(prep: Token) -> bool:
    """Return True for "for about five minutes": a duration, not what was said."""
    return any(t.ent_type_ in {"TIME", "DATE"} for t in prep.subtree)


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
    span = _clause_span(tokens, token)
    if span is None:
        return None
    start, end = span
    return Attr(
        start,
        end,
        spk.doc_text(doc)[start:end],
        "indirect",
        token,
        "according to",
        source,
        spk.speaker_span(doc, source),
        None,
    )


_TRANSCRIPT = re.compile(
    r"^[ \t]*[\"“]?((?:[A-Z][\w.'’-]*\s?){1,4}):[ \t]+(\S[^\n]*)", re.MULTILINE
)


def find_transcript_lines(doc: Doc) -> list[Attr]:
    """Return the "NAME: words" paragraphs of interviews and transcripts."""
    out: list[Attr] = []
    for match in _TRANSCRIPT.finditer(spk.doc_text(doc)):
        name = span_tokens(doc, match.start(1), match.end(1))
        start, end = match.start(2), match.end(2)
        if name is None or len(match.group(2).split()) < 3:
            continue
        label = {e.label_ for e in name.ents}
        if not (match.group(1).isupper() or "PERSON" in label or "ORG" in label):
            continue
        out.append(
            Attr(start, end, spk.doc_text(doc)[start:end], "direct", None, ":", name[-1], name)
        )
    return out
