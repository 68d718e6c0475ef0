"""A deterministic GSDMM-style refinement of a clustering of short texts (headlines).

Cosine thresholds see too little in vectors of a few words; the collapsed Gibbs score of
the Dirichlet multinomial mixture (Yin & Wang, 2014) compares a document with a cluster's
word counts and size instead. Starting from a given assignment, each document moves to its
highest-scoring cluster (argmax, no sampling: the same input gives the same result), or to
a new one. Only clusters sharing a word are scored, so no pass compares all pairs.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


def _score(
    doc: Sequence[str], size: float, words: Counter[str], total: float, *, k: tuple[float, ...]
) -> float:
    alpha, beta, vbeta = k
    score = math.log(size + alpha)
    again: Counter[str] = Counter()
    for i, w in enumerate(doc):
        score += math.log(words[w] + beta + again[w]) - math.log(total + vbeta + i)
        again[w] += 1
    return score


def refine_labels(
    order: Sequence[str],
    docs: Mapping[str, Sequence[str]],
    labels: Mapping[str, str],
    *,
    new_label: Callable[[str], str],
    allowed: Callable[[str, str], bool],
    alpha: float = 0.1,
    beta: float = 0.1,
    iterations: int = 3,
) -> dict[str, str]:
    """Return doc id -> cluster after ``iterations`` argmax sweeps in ``order``.

    ``new_label(doc)`` names a cluster the doc opens; ``allowed(doc, cluster)`` may veto a
    move (a time window, say); the doc's current cluster is always allowed.
    """
    label = {a: labels[a] for a in order}
    v = len({w for a in order for w in docs[a]}) or 1
    k = (alpha, beta, v * beta)
    size: Counter[str] = Counter()
    total: Counter[str] = Counter()
    words: defaultdict[str, Counter[str]] = defaultdict(Counter)
    post: defaultdict[str, set[str]] = defaultdict(set)
    for a, z in label.items():
        size[z] += 1
        total[z] += len(docs[a])
        words[z].update(docs[a])
        for w in docs[a]:
            post[w].add(z)
    empty: Counter[str] = Counter()
    for _ in range(iterations):
        for a in order:
            doc, z0 = docs[a], label[a]
            size[z0] -= 1
            total[z0] -= len(doc)
            words[z0].subtract(doc)
            # Only clusters sharing a word can beat a new one.
            cands = {z for w in doc for z in post[w] if size[z] > 0} | {z0}
            best, best_score = new_label(a), _score(doc, 0, empty, 0, k=k)
            for z in sorted(cands):
                if z != z0 and not allowed(a, z):
                    continue
                score = _score(doc, size[z], words[z], total[z], k=k)
                if score > best_score:
                    best, best_score = z, score
            label[a] = best
            size[best] += 1
            total[best] += len(doc)
            words[best].update(doc)
            for w in doc:
                post[w].add(best)
    return label
