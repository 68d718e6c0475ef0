"""What the clusterer sees of an article: content words, names, and a sparse TF-IDF vector."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from storyline.text.words import CLUSTER_STOP_WORDS, noun_stem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.cluster.settings import ClusterSettings
    from storyline.cluster.state import ClusterState
    from storyline.models import CleanArticle

Level = Literal["event", "storyline"]
Vector = dict[str, float]
_ENTITY_PREFIX = "ent:"
_SPLIT_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# A capitalised word after a space that does not follow a sentence end: a name, probably.
_NAME_RE = re.compile(r"(?<![.!?\"“”\s])[ \t]+([A-ZÀ-Þ][\w'’-]*)")


@lru_cache(maxsize=1 << 17)
def _fold(word: str) -> str:
    term = noun_stem(word.casefold())
    return "" if len(term) <= 1 or term in CLUSTER_STOP_WORDS else term


def content_terms(text: str) -> list[str]:
    """Return the lowercased, plural-folded content words of a text, in order."""
    return [t for t in map(_fold, _TOKEN_RE.findall(text)) if t]


def name_forms(text: str) -> list[tuple[str, str]]:
    """Return (term, surface form) for each capitalised word inside a sentence."""
    return [(t, noun_stem(raw)) for raw in _NAME_RE.findall(text) if (t := _fold(raw))]


def _ordinal(published: str | None) -> int | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


def _term_counts(
    article: CleanArticle, names: Sequence[str], settings: ClusterSettings, state: ClusterState
) -> dict[str, float]:
    seen = Counter(content_terms(article.text))
    state.seen.update(seen)
    counts: dict[str, float] = dict(seen)
    for term, surface in name_forms(article.text):
        # Names mid-sentence (Putin, Moscow) say more about the story than other words.
        counts[term] = counts.get(term, 0.0) + settings.name_weight
        state.caps[term] += 1
        state.surface.setdefault(term, surface)
    for term in content_terms(article.title):
        counts[term] = counts.get(term, 0.0) + 1.0 + settings.title_weight
    for name in names:
        key = _SPLIT_RE.sub(" ", name.strip().casefold())
        if key:
            counts[_ENTITY_PREFIX + key] = (
                counts.get(_ENTITY_PREFIX + key, 0.0) + settings.entity_weight
            )
    return counts


def _vector(counts: Mapping[str, float], df: Counter[str], n_docs: int, max_terms: int) -> Vector:
    weighted = {
        t: (1.0 + math.log(c) if c >= 1 else c) * (math.log((1 + n_docs) / (1 + df[t])) + 1.0)
        for t, c in counts.items()
    }
    top = sorted(weighted.items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    return {t: v / norm for t, v in top}


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _names(vec: Vector) -> list[str]:
    return [t for t in vec if t.startswith(_ENTITY_PREFIX)]
