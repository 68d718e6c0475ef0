"""Link the same statement reported by several articles: exact, partial or lightly reworded."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.models import Quote

_WORD = re.compile(r"\w+")
_MIN_TOKENS = 4
_OVERLAP = 0.6  # token-set F1 at which two reports are one statement
_CONTAINED = 0.8  # share of the shorter quote's tokens found in the longer one


def _tokens(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.casefold()) if len(w) > 1)


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """Return True when two token sets state the same thing (overlap or containment)."""
    inter = len(a & b)
    if not inter:
        return False
    return 2 * inter / (len(a) + len(b)) >= _OVERLAP or inter / min(len(a), len(b)) >= _CONTAINED


def link_quotes(quotes: Sequence[Quote]) -> list[list[str]]:
    """Return groups of quote ids that report one statement, each group in input order.

    Quotes from the same article are never linked to each other; quotes with fewer than four
    words only link on their own exact words. Groups come sorted by their first quote's id.
    """
    sets = [_tokens(q.text) for q in quotes]
    parent = list(range(len(quotes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_token: dict[str, list[int]] = {}
    for i, toks in enumerate(sets):
        for tok in toks:
            by_token.setdefault(tok, []).append(i)
    for i, toks in enumerate(sets):
        seen: set[int] = set()
        for tok in toks:
            for j in by_token[tok]:
                if j <= i or j in seen:
                    continue
                seen.add(j)
                if quotes[i].article_id == quotes[j].article_id:
                    continue
                small = min(len(toks), len(sets[j])) < _MIN_TOKENS
                if (toks == sets[j]) if small else _same(toks, sets[j]):
                    parent[find(j)] = find(i)
    groups: dict[int, list[str]] = {}
    for i, quote in enumerate(quotes):
        groups.setdefault(find(i), []).append(quote.id)
    return sorted(groups.values(), key=lambda g: g[0])
