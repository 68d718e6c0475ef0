"""Sentences and names: the one sentence splitter (character spans) and a capitalised-name finder.

Every corpus stage cuts an article into sentences here, so quality, claims and timelines read
the same sentences. A regex, not a parser: it runs before (and without) spaCy.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from storyline.text.calendar import MONTH_NAMES, WEEKDAY_NAMES
from storyline.text.words import ABBREVIATIONS, words

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "CAP_SEQ_RE",
    "HONORIFIC_RE",
    "NOT_NAMES",
    "find_names",
    "known_names",
    "sentence_spans",
    "split_sentences",
]

# A boundary: end punctuation, optional closing quotes or brackets (plain or PTB-tokenised), then
# space and something that can start a sentence; or a line break.
_BOUNDARY_RE = re.compile(
    r"[.!?]+(?:\s*(?:''|\"|”|’|'|\)|\]|-RRB-))*\s+(?=(?:``|[\"“‘'(\[]|-LRB-)?\s*[A-Z0-9])|\n+"
)
CAP_SEQ_RE = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?)*")
HONORIFIC_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gov|Gen|Rep|President|Minister|Secretary)\.?\s+([A-Z][a-z]+)"
)
NOT_NAMES = (
    words(
        "The A An In On At But And Or If It Its This That These Those He She They We I You His"
        " Her Their Our There Here When While After Before As For From By With Of To Mr Mrs Ms Dr"
        " President Minister Secretary Prime General Sir Lord Senator Governor However Meanwhile"
        " Also Some Many Most More Reuters Associated Press AP AFP BBC CNN"
    )
    | frozenset(name.capitalize() for name in MONTH_NAMES)
    | frozenset(name.capitalize() for name in WEEKDAY_NAMES)
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the sentences of ``text``, whitespace trimmed.

    A line break always ends a sentence; a period after a listed abbreviation ("Mr.", "Sept.")
    or a single initial ("George W. Bush") does not.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        if m.group().startswith((".", "!", "?")) and _is_abbreviation(text, start, m.start()):
            continue
        end = m.start() + len(m.group().rstrip())
        _add_span(text, start, end, spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` as strings (a lone character is no sentence)."""
    return [text[start:end] for start, end in sentence_spans(text) if end - start > 1]


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    space = max(text.rfind(c, start, dot) for c in " \n\t")
    word = text[max(space + 1, start) : dot].lower().lstrip("(\"'`“‘")
    # Single initials ("George W. Bush") and listed abbreviations keep the sentence going.
    return (len(word) == 1 and word.isalpha()) or word in ABBREVIATIONS


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


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
