"""A paragraph vote between trafilatura's text and a second extractor's, in page order.

Extractor ensembles (Bevendorff et al., "An Empirical Comparison of Web Content Extraction
Algorithms", SIGIR 2023) gain by keeping text that more than one extractor returns. Here the
voters are trafilatura's fast text (the primary) and trafilatura's own readability port run on
the already parsed tree (readability-lxml's algorithm at a quarter of trafilatura's time; the
readability-lxml package itself reparses the page and costs as much as trafilatura, too slow
to ask on every page). Per page:

- a primary line keeps its place when most of its words are in the second text (``support``);
  a line the second text does not back is dropped (menus, teasers, share prompts);
- a long paragraph only the second text holds (``add_words`` words or more) is added after the
  primary line its predecessor matched: article paragraphs trafilatura's filters lost;
- no vote when the second text is small next to the primary (under ``min_share`` of its words):
  readability then found a different or no block, and its silence says nothing about a line.

Every count is returned for the article's ``meta["extraction"]["vote"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from trafilatura.external import try_readability

from storyline.config import default_values

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_TOKEN_RE = re.compile(r"\w+")
# Fewer words than this is no text to vote with (html._MIN_WORDS: a menu or an error page).
_MIN_WORDS = 5
# Block elements after which an extractor's HTML gets a line break (one paragraph a line).
BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "blockquote", "pre"}
    | {"section", "article", "dd", "dt", "figcaption"}
)


@dataclass(frozen=True)
class VotePolicy:
    """The vote's three settings (``[ingest]`` html_vote_* in defaults.toml)."""

    min_share: float
    support: float
    add_words: int


@cache
def default_policy() -> VotePolicy:
    """Return the vote policy of the packaged defaults."""
    values = default_values()["ingest"]
    return VotePolicy(
        min_share=float(values["html_vote_min_share"]),
        support=float(values["html_vote_support"]),
        add_words=int(values["html_vote_add_words"]),
    )


def block_text(tree: HtmlElement) -> str:
    """Return a tree's text, one block element a line, blank lines dropped."""
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag in BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def second_text(tree: HtmlElement) -> str:
    """Return trafilatura's readability port's text of a parsed page ("" when it fails).

    The port prunes the tree it is given: call it last on a tree (no copy, for speed).
    """
    try:
        return block_text(try_readability(tree))
    except Exception:  # noqa: BLE001 -- a voter that fails casts no vote
        return ""


def _tokens(line: str) -> list[str]:
    return _TOKEN_RE.findall(line.lower())


def _backed(tokens: list[str], bag: set[str], support: float) -> bool:
    return sum(token in bag for token in tokens) >= support * len(tokens)


def vote(primary: str, second: str, policy: VotePolicy) -> tuple[str, dict[str, object]]:
    """Return the voted text and what the vote did (counts for the article's metadata)."""
    primary_words, second_words = len(primary.split()), len(second.split())
    record: dict[str, object] = {"voter": "trafilatura-readability", "second_words": second_words}
    if second_words < max(_MIN_WORDS, policy.min_share * primary_words):
        record["result"] = "skipped: second text small"
        return primary, record
    lines = primary.split("\n")
    line_tokens = [_tokens(line) for line in lines]
    second_bag = set(_tokens(second))
    kept = [not tokens or _backed(tokens, second_bag, policy.support) for tokens in line_tokens]
    primary_bag = set(_tokens(primary))
    line_sets = [set(tokens) for tokens in line_tokens]
    # Paragraphs only the second text holds, each placed after the primary line that matched
    # the second text's last backed line before it (-1: before the first line).
    inserts: dict[int, list[str]] = {}
    anchor = -1
    added = 0
    for line in second.split("\n"):
        tokens = _tokens(line)
        if not tokens:
            continue
        if _backed(tokens, primary_bag, policy.support):
            words = set(tokens)
            overlaps = [len(words & found) for found in line_sets]
            best = max(range(len(lines)), key=overlaps.__getitem__, default=-1)
            if best >= 0 and overlaps[best]:
                anchor = best
        elif len(line.split()) >= policy.add_words:
            inserts.setdefault(anchor, []).append(line)
            added += 1
    out = list(inserts.get(-1, []))
    for index, line in enumerate(lines):
        if kept[index]:
            out.append(line)
        out.extend(inserts.get(index, []))
    record.update(
        result="voted", dropped_lines=kept.count(False), added_lines=added, lines=len(lines)
    )
    return "\n".join(out), record
