"""The clusters and everything the clusterer keeps between batches, with their updates."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyline.cluster.features import Level, Vector, _dot, _names

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(slots=True)
class _Cluster:
    id: str
    level: Level
    opened: int  # sequence number of the article that opened it
    batch: int
    members: list[str] = field(default_factory=list)
    centroid: Vector = field(default_factory=dict)  # sum of member unit vectors
    norm2: float = 0.0
    first: int | None = None  # date ordinals
    last: int | None = None
    parent: str | None = None
    denom: float = 1.0  # what a dot product with the centroid is divided by
    names: Counter[str] = field(default_factory=Counter)  # entity term -> members naming it


@dataclass(slots=True)
class ClusterState:
    """Everything the clusterer keeps between batches (picklable)."""

    n_docs: int = 0
    batches: int = 0
    df: Counter[str] = field(default_factory=Counter)
    storylines: dict[str, _Cluster] = field(default_factory=dict)
    events: dict[str, _Cluster] = field(default_factory=dict)
    storyline_of: dict[str, str] = field(default_factory=dict)
    event_of: dict[str, str] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    dates: dict[str, int | None] = field(default_factory=dict)
    postings: dict[str, dict[str, float]] = field(default_factory=dict)  # term -> centroids
    caps: Counter[str] = field(default_factory=Counter)  # term -> capitalised uses
    seen: Counter[str] = field(default_factory=Counter)
    surface: dict[str, str] = field(default_factory=dict)


def _story_id(level: Level, article_id: str) -> str:
    digest = hashlib.sha1(f"{level}:{article_id}".encode()).hexdigest()[:12]  # noqa: S324
    return f"{level[0]}-{digest}"


def _decay(day: int | None, cluster: _Cluster, grace: float, tau: float) -> float:
    if day is None or cluster.first is None or cluster.last is None:
        return 1.0
    gap = max(0, cluster.first - day, day - cluster.last)
    return math.exp(-max(0.0, gap - grace) / tau)


def _gap(day: int | None, cluster: _Cluster) -> int:
    if day is None or cluster.first is None or cluster.last is None:
        return 0
    return max(0, cluster.first - day, day - cluster.last)


def _add(cluster: _Cluster, vec: Vector, sign: float = 1.0) -> None:
    cen = cluster.centroid
    cluster.norm2 += sign * 2.0 * _dot(vec, cen) + 1.0
    for t, v in vec.items():
        cen[t] = cen.get(t, 0.0) + sign * v
    cluster.norm2 = max(cluster.norm2, 0.0)


def _count_names(cluster: _Cluster, vec: Vector, sign: int) -> None:
    if not hasattr(cluster, "names"):
        cluster.names = Counter()  # a storyline from a state pickled before names were kept
    for t in _names(vec):
        cluster.names[t] += sign
        if cluster.names[t] <= 0:
            del cluster.names[t]


def _widen(cluster: _Cluster, day: int | None) -> None:
    if day is None:
        return
    cluster.first = day if cluster.first is None else min(cluster.first, day)
    cluster.last = day if cluster.last is None else max(cluster.last, day)


def _stranger(cluster: _Cluster, names: Sequence[str], share: float) -> bool:
    """Return whether an article naming ``names`` names none of the cluster's principals."""
    principals = _principals(cluster, share) if names else set()
    return bool(principals) and principals.isdisjoint(names)


def _principals(cluster: _Cluster, share: float) -> set[str]:
    known: Counter[str] = getattr(cluster, "names", None) or Counter()
    floor = max(2.0, share * len(cluster.members))
    return {t for t, c in known.items() if c >= floor}


def _strangers(a: _Cluster, b: _Cluster, share: float) -> bool:
    """Return whether two clusters both have principal entities and share none of them."""
    pa, pb = _principals(a, share), _principals(b, share)
    return bool(pa) and bool(pb) and pa.isdisjoint(pb)
