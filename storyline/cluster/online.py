"""One batch of articles clustered against a state: assign, refine, merge, then events.

The steps run in this order (``storylines.cluster_articles`` calls them): a single pass joins
each article to its closest storyline or opens one; a refinement moves each with the final idf;
close new storylines merge by average linkage; a short-text batch gets a GSDMM pass; finally
each article joins or opens an event inside its storyline.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from itertools import islice
from typing import TYPE_CHECKING

from storyline.cluster.features import _dot, _names, _vector, content_terms
from storyline.cluster.gsdmm import refine_labels
from storyline.cluster.state import (
    _add,
    _Cluster,
    _count_names,
    _decay,
    _gap,
    _story_id,
    _stranger,
    _strangers,
    _widen,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.cluster.features import Vector
    from storyline.cluster.settings import ClusterSettings
    from storyline.cluster.state import ClusterState
    from storyline.models import CleanArticle


def _threshold(settings: ClusterSettings) -> float:
    return settings.storyline_threshold


class _Run:
    """One batch of articles clustered against a state."""

    def __init__(self, state: ClusterState, settings: ClusterSettings) -> None:
        self.state = state
        self.s = settings
        self.batch = state.batches
        self.vectors: dict[str, Vector] = {}
        self.event_days: dict[str, int] = {}  # article id -> day its own happening took place

    def best_storyline(self, vec: Vector, day: int | None) -> tuple[str, float]:
        st, s = self.state, self.s
        dots: defaultdict[str, float] = defaultdict(float)
        postings = st.postings
        # Vectors are sorted by weight: the tail adds little to the dot products but costs most.
        for t, w in islice(vec.items(), s.query_terms):
            posting = postings.get(t)
            if posting:
                for cid, cw in posting.items():
                    dots[cid] += w * cw
        best, best_score = "", 0.0
        storylines = st.storylines
        names = _names(vec) if s.stranger_factor < 1.0 else []
        for cid, dot in dots.items():
            cluster = storylines[cid]
            sc = dot / cluster.denom
            if sc <= best_score:
                continue
            if day is not None and cluster.first is not None:
                if _gap(day, cluster) > s.storyline_window_days:
                    continue
                sc *= _decay(day, cluster, s.storyline_grace_days, s.storyline_decay_days)
            if names and _stranger(cluster, names, s.principal_share):
                sc *= s.stranger_factor
            if sc > best_score:
                best, best_score = cid, sc
        return best, best_score

    def _update(self, cluster: _Cluster, vec: Vector, sign: float) -> None:
        _add(cluster, vec, sign)
        postings, cen, cid = self.state.postings, cluster.centroid, cluster.id
        for t in vec:
            postings.setdefault(t, {})[cid] = cen[t]
        size = max(len(cluster.members), 1)
        exponent = self.s.size_exponent
        cluster.denom = (math.sqrt(cluster.norm2) or 1.0) ** (1.0 - exponent) * size**exponent

    def join(self, cid: str, article_id: str, vec: Vector, day: int | None) -> None:
        cluster = self.state.storylines[cid]
        cluster.members.append(article_id)
        _count_names(cluster, vec, 1)
        self._update(cluster, vec, 1.0)
        _widen(cluster, day)
        self.state.storyline_of[article_id] = cid

    def leave(self, article_id: str) -> None:
        cid = self.state.storyline_of.pop(article_id)
        cluster = self.state.storylines[cid]
        cluster.members.remove(article_id)
        _count_names(cluster, self.vectors[article_id], -1)
        self._update(cluster, self.vectors[article_id], -1.0)

    def drop(self, cid: str) -> None:
        cluster = self.state.storylines.pop(cid)
        for t in cluster.centroid:
            posting = self.state.postings.get(t)
            if posting is not None:
                posting.pop(cid, None)

    def open(self, article_id: str, vec: Vector, day: int | None) -> None:
        cid = _story_id("storyline", article_id)
        self.state.storylines[cid] = _Cluster(
            cid, "storyline", self.state.seq[article_id], self.batch
        )
        self.join(cid, article_id, vec, day)

    def single_pass(self, order: Sequence[str], counts: Mapping[str, Mapping[str, float]]) -> None:
        st = self.state
        for aid in order:
            st.n_docs += 1
            st.df.update(counts[aid].keys())
            vec = _vector(counts[aid], st.df, st.n_docs, self.s.max_terms)
            self.vectors[aid] = vec
            day = st.dates[aid]
            best, score = self.best_storyline(vec, day)
            if best and score >= _threshold(self.s):
                self.join(best, aid, vec, day)
            else:
                self.open(aid, vec, day)

    def refine(self, order: Sequence[str], counts: Mapping[str, Mapping[str, float]]) -> None:
        st = self.state
        # Vectors again with the idf of the whole stream so far, then each article moves to
        # its best storyline (k-means style, in a fixed order).
        for aid in order:
            self.leave(aid)
            self.vectors[aid] = _vector(counts[aid], st.df, st.n_docs, self.s.max_terms)
        for aid in order:
            cid = _story_id("storyline", aid)
            if cid in st.storylines and not st.storylines[cid].members:
                self.drop(cid)
        for aid in order:
            vec, day = self.vectors[aid], st.dates[aid]
            best, score = self.best_storyline(vec, day)
            if best and score >= _threshold(self.s):
                self.join(best, aid, vec, day)
            else:
                self.open(aid, vec, day)
        for _ in range(self.s.refine_passes - 1):
            self.reassign(order)

    def reassign(self, order: Sequence[str]) -> None:
        st = self.state
        for aid in order:
            vec, day = self.vectors[aid], st.dates[aid]
            current = st.storyline_of[aid]
            self.leave(aid)
            best, score = self.best_storyline(vec, day)
            if best and best != current and score >= _threshold(self.s):
                self.join(best, aid, vec, day)
            else:
                self.join(current, aid, vec, day)
        for cid in [c for c, cl in st.storylines.items() if not cl.members]:
            self.drop(cid)

    def linkage(self, a: _Cluster, b: _Cluster) -> float:
        # merge_exponent 1 is average linkage; lower values lean towards centroid cosine.
        e = self.s.merge_exponent
        sim = _dot(a.centroid, b.centroid)
        for c in (a, b):
            sim /= (math.sqrt(c.norm2) or 1.0) ** (1.0 - e) * len(c.members) ** e
        if self.s.stranger_factor < 1.0 and _strangers(a, b, self.s.principal_share):
            sim *= self.s.stranger_factor
        if a.first is not None and b.first is not None and a.last is not None:
            gap = max(0, a.first - (b.last or 0), b.first - a.last)
            sim *= math.exp(
                -max(0.0, gap - self.s.storyline_grace_days) / self.s.storyline_decay_days
            )
        return sim

    def neighbours(self, cluster: _Cluster, limit: int = 10) -> list[str]:
        # Rough dot products over the cluster's heaviest terms pick a few candidates; the
        # caller computes the exact linkage for those only.
        st = self.state
        top = sorted(cluster.centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        rough: dict[str, float] = {}
        for t, w in top:
            for cid, cw in st.postings.get(t, {}).items():
                if cid != cluster.id and st.storylines[cid].members:
                    rough[cid] = rough.get(cid, 0.0) + w * cw
        size = len(cluster.members)
        ranked = sorted(
            rough, key=lambda c: (-rough[c] / (size * len(st.storylines[c].members)), c)
        )
        return ranked[:limit]

    def merge(self) -> None:
        st, s = self.state, self.s
        heap: list[tuple[float, int, str, str]] = []
        version: dict[str, int] = {}

        def push(cid: str) -> None:
            a = st.storylines[cid]
            for other in self.neighbours(a):
                b = st.storylines.get(other)
                if b is None or not b.members or (a.batch < self.batch and b.batch < self.batch):
                    continue  # old storylines never merge with each other
                sim = self.linkage(a, b)
                if sim >= s.merge_threshold:
                    key = version.get(cid, 0) + version.get(other, 0)
                    first, second = sorted((cid, other))
                    heapq.heappush(heap, (-sim, key, first, second))

        for cid in sorted(st.storylines):
            if st.storylines[cid].batch == self.batch:
                push(cid)
        while heap:
            _neg, key, x, y = heapq.heappop(heap)
            if x not in st.storylines or y not in st.storylines:
                continue
            if key != version.get(x, 0) + version.get(y, 0):
                continue
            keep, drop = sorted((st.storylines[x], st.storylines[y]), key=lambda c: c.opened)
            for aid in list(drop.members):
                self.leave(aid)
                self.join(keep.id, aid, self.vectors[aid], st.dates[aid])
            self.drop(drop.id)
            version[keep.id] = version.get(keep.id, 0) + 1
            push(keep.id)

    def events(self, order: Sequence[str]) -> None:
        st, s = self.state, self.s
        by_parent: dict[str, list[str]] = {}
        for ev in st.events.values():
            by_parent.setdefault(ev.parent or "", []).append(ev.id)
        window = s.event_grace_days + 6 * s.event_decay_days
        for aid in order:
            parent = st.storyline_of[aid]
            vec, day = self.vectors[aid], self.event_days.get(aid, st.dates[aid])
            active = by_parent.setdefault(parent, [])
            if day is not None and len(active) > 32:
                # Dated articles come in date order: an event this far behind stays behind.
                active[:] = [e for e in active if (st.events[e].last or day) >= day - window]
            best, best_score = "", 0.0
            for eid in active:
                ev = st.events[eid]
                cos = _dot(vec, ev.centroid) / (math.sqrt(ev.norm2) or 1.0)
                cos *= _decay(day, ev, s.event_grace_days, s.event_decay_days)
                if cos > best_score:
                    best, best_score = eid, cos
            if not best or best_score < s.event_threshold:
                best = _story_id("event", aid)
                st.events[best] = _Cluster(best, "event", st.seq[aid], self.batch, parent=parent)
                active.append(best)
            ev = st.events[best]
            _add(ev, vec)
            ev.members.append(aid)
            _widen(ev, day)
            st.event_of[aid] = best


def _short_words(articles: Sequence[CleanArticle], mean_terms: float) -> dict[str, list[str]]:
    """Return each article's content words if the batch is short on average, else nothing."""
    budget = mean_terms * len(articles)
    words: dict[str, list[str]] = {}
    total = 0
    for a in articles:
        words[a.id] = content_terms(f"{a.title} {a.text}")
        total += len(words[a.id])
        if total > budget:
            return {}  # long texts: stop early, the cosine passes are enough
    return words


def refine_short(run: _Run, order: Sequence[str], docs: Mapping[str, Sequence[str]]) -> None:
    """Move each short article of the batch to its most likely storyline (GSDMM argmax)."""
    st, s = run.state, run.s

    def allowed(aid: str, cid: str) -> bool:
        cluster = st.storylines.get(cid)
        return cluster is None or _gap(st.dates[aid], cluster) <= s.storyline_window_days

    label = refine_labels(
        order,
        docs,
        {a: st.storyline_of[a] for a in order},
        new_label=lambda aid: _story_id("storyline", aid),
        allowed=allowed,
        alpha=s.gibbs_alpha,
        beta=s.gibbs_beta,
        iterations=s.gibbs_iterations,
    )
    for a in order:
        if label[a] == st.storyline_of[a]:
            continue
        run.leave(a)
        if label[a] not in st.storylines:
            # A storyline the pass opened, named after its first article in any case.
            st.storylines[label[a]] = _Cluster(label[a], "storyline", st.seq[a], run.batch)
        run.join(label[a], a, run.vectors[a], st.dates[a])
    for cid in [c for c, cl in st.storylines.items() if not cl.members]:
        run.drop(cid)
