"""The "NAME: words" paragraphs of interviews and transcripts (split from ``indirect``)."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.direct import Attr, span_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc


_TRANSCRIPT = re.compile(
    r"^[ \t]*[\"“]?((?:[A-Z][\w.'’-]*\s?){1,4}):[ \t]+(\S[^\n]*)", re.MULTILINE
)


def find_transcript_lines(doc: Doc) -> list[Attr]:
    """Return the "NAME: words" paragraphs of interviews and transcripts.

    An all-caps label is page furniture ("READ MORE:", "WATCH:", "ENERGY: U.S. crude ...")
    unless it names a person of the article or the article is a transcript: two or more
    labels, each opening two or more lines ("TRUMP:", "HOLT:").
    """
    out: list[Attr] = []
    text = spk.doc_text(doc)
    matches = list(_TRANSCRIPT.finditer(text))
    surnames = {spk.last_key(e.text) for e in spk.doc_ents(doc) if e.label_ == "PERSON"}
    labels = Counter(m.group(1).strip() for m in matches if m.group(1).isupper())
    transcript = sum(n >= 2 for n in labels.values()) >= 2
    for match in matches:
        label_text = match.group(1).strip()
        if spk.is_furniture(label_text):
            continue
        name = span_tokens(doc, match.start(1), match.end(1))
        start, end = match.start(2), match.end(2)
        if name is None or len(match.group(2).split()) < 3:
            continue
        label = {e.label_ for e in spk.span_ents(name)}
        known = spk.last_key(label_text) in surnames
        caps = label_text.isupper() and (transcript or known)
        if not (caps or "PERSON" in label or "ORG" in label or known):
            continue
        out.append(Attr(start, end, text[start:end], "direct", None, ":", name[-1], name))
    return out
