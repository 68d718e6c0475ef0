"""The HTML page guard: what the line cleaner never removes from a page on a single feature.

trafilatura can hand over a whole article as one line, or a list article beside short links;
a single feature (a caption-like or bio-like first sentence, a URL neighbour) then scored the
article itself as boilerplate. On HTML pages the guard keeps a long line, the line holding most
of the page's words and a run of list items unless two independent features agree, and caps
the share of words removed; every line it keeps is recorded with its reason (``KeptLine``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from storyline.config import default_values
from storyline.text.scripts import WordMeasure

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# the same word pattern as the line scorer's (clean._WORD_RE): sizes are counted in its words
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# trafilatura writes list items as "- item"; hand-made text uses bullets or "1." numbering.
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•·▪–]\s|\d{1,3}[.)]\s)")
# A run is three items: two lines in a row are a pair, not yet a list (not fitted).
_LIST_RUN = 3
# A protected line goes only when this many independent features would each remove it.
_GUARD_VOTES = 2


class Scored(Protocol):
    """What the guard reads of a line's score (``clean.LineScore``, a frozen record)."""

    @property
    def score(self) -> float:
        """The line's boilerplate score (at the threshold or above, the line goes)."""
        ...

    @property
    def votes(self) -> int:
        """How many features would each remove the line on their own."""
        ...


@dataclass(frozen=True, slots=True)
class PageGuard:
    """What the cleaner never removes from an HTML page on a single feature, and its cap."""

    long_line_words: int
    max_removed_share: float

    @classmethod
    def from_values(cls, clean: Mapping[str, Any]) -> PageGuard:
        """Build the guard from a ``[clean]`` table (defaults.toml or resolved settings)."""
        return cls(int(clean["html_long_line_words"]), float(clean["html_max_removed_share"]))


@dataclass(frozen=True, slots=True)
class KeptLine:
    """A line the scores would have removed but the HTML guard kept, and why."""

    line: int
    text: str
    reason: str
    score: float
    guard: str  # "long_line", "most_words", "list_run", "cap" or "whole_article" (clean.py)


def guarded(
    lines: Sequence[str],
    scores: Sequence[Scored],
    doomed: set[int],
    guard: PageGuard,
    words: WordMeasure,
) -> dict[int, str]:
    """Return the doomed lines the guard keeps, each with the guard's name.

    Line sizes are ``words``' counts of the scorer's words (CJK and Thai at a rate per script).
    """
    sizes = [words.count_tokens(_WORD_RE.findall(line), line) for line in lines]
    total = sum(sizes) or 1
    saved: dict[int, str] = {}
    for i in sorted(doomed):
        if scores[i].votes >= _GUARD_VOTES:
            continue
        if sizes[i] > guard.long_line_words:
            saved[i] = "long_line"
        elif sizes[i] * 2 > total:  # "most of the article's words": more than half
            saved[i] = "most_words"
        elif _in_list_run(lines, i):
            saved[i] = "list_run"
    # The cap: the highest scores go first; what would pass the page's share stays, marked.
    budget = guard.max_removed_share * total
    for i in sorted(doomed - set(saved), key=lambda i: (-scores[i].score, i)):
        if sizes[i] > budget:
            saved[i] = "cap"
        else:
            budget -= sizes[i]
    return saved


def _in_list_run(lines: Sequence[str], i: int) -> bool:
    """Return True when line ``i`` is one of at least three consecutive list items."""
    flags = [bool(_LIST_ITEM_RE.match(line)) for line in lines[max(0, i - 2) : i + 3]]
    here = i - max(0, i - 2)
    if not flags[here]:
        return False
    run = 1
    for k in range(here - 1, -1, -1):
        if not flags[k]:
            break
        run += 1
    for k in range(here + 1, len(flags)):
        if not flags[k]:
            break
        run += 1
    return run >= _LIST_RUN


@cache
def default_guard() -> PageGuard:
    """Return the HTML guard of the packaged defaults (``[clean]`` in defaults.toml)."""
    return PageGuard.from_values(default_values()["clean"])


@cache
def default_words() -> WordMeasure:
    """Return the word measure of the packaged defaults (``[text]`` in defaults.toml)."""
    return WordMeasure.from_values(default_values()["text"])
