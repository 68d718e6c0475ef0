"""Sentences and names: a regex sentence splitter and capitalised-name finder shared by checks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of ``text`` as a set."""
    return frozenset(text.split())


_ABBREV = words(
    "mr mrs ms dr st gen sen rep gov lt col sgt capt prof rev jr sr inc corp co ltd no vs"
    " jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n"
)
_SENT_END_RE = re.compile(r"""(?<=[.!?])["”’']?\s+(?=["“‘'(\[]?[A-Z0-9])""")
CAP_SEQ_RE = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?)*")
HONORIFIC_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gov|Gen|Rep|President|Minister|Secretary)\.?\s+([A-Z][a-z]+)"
)
NOT_NAMES = words(
    "The A An In On At But And Or If It Its This That These Those He She They We I You His Her"
    " Their Our There Here When While After Before As For From By With Of To Mr Mrs Ms Dr"
    " Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May"
    " June July August September October November December President Minister Secretary"
    " Prime General Sir Lord Senator Governor However Meanwhile Also Some Many Most More"
    " Reuters Associated Press AP AFP BBC CNN"
)


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text``: paragraphs split by a regex that skips abbreviations."""
    sentences: list[str] = []
    for para in re.split(r"\n+", text):
        start = 0
        for match in _SENT_END_RE.finditer(para):
            before = para[start : match.start()].rstrip("\"”’'")
            last = before.rsplit(None, 1)[-1].lower().rstrip(".") if before.split() else ""
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            sentences.append(para[start : match.start()].strip())
            start = match.end()
        sentences.append(para[start:].strip())
    return [s for s in sentences if len(s) > 1]


def find_names(sentence: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Return capitalised name sequences; a lone sentence-initial word only if ``known``."""
    found: list[str] = []
    for match in CAP_SEQ_RE.finditer(sentence):
        parts = [w for w in match.group().split() if w not in NOT_NAMES]
        lone = match.start() == 0 and len(parts) == 1 and parts[0] == match.group()
        if parts and (not lone or parts[0] in known):
            found.append(" ".join(parts))
    return found


def known_names(texts: Sequence[str]) -> frozenset[str]:
    """Return words capitalised inside a sentence somewhere, so names rather than openers."""
    return frozenset(
        word
        for text in texts
        for match in CAP_SEQ_RE.finditer(text)
        if match.start() > 0
        for word in match.group().split()
    )
