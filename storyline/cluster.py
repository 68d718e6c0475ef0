"""Online two-level story clustering: events (days apart) inside storylines (weeks apart).

Articles are read in publication order. Each becomes a sparse TF-IDF vector (idf from the
stream so far; names capitalised mid-sentence and optional entity names weighted up) and
joins the storyline whose centroid is closest, found through an inverted index of centroid
terms (never all pairs), or opens a new one. The articles of the batch are then reassigned
with the final idf and close new storylines are merged by average linkage; finally each
article of the batch joins or opens an event inside its storyline. Old articles never move,
so stories grow batch by batch. When the batch is short texts (headlines only, a few words
each), cosine thresholds see too little; a deterministic GSDMM-style pass then moves each
article of the batch to its most likely storyline before events are built.

When weighs against the vocabulary of a kind of news: an event is placed on the day its
happening took place (the article's dated sentences), so two floods a week apart are two
events. Who/where (an article naming none of a storyline's principal entities counts less
similar to it) is a setting, ``stranger_factor``, off until measured on cased text.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Literal

from storyline.gsdmm import refine_labels
from storyline.models import Story

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.models import CleanArticle, DatedEvent

Level = Literal["event", "storyline"]
Vector = dict[str, float]
_ENTITY_PREFIX = "ent:"
_SPLIT_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# A capitalised word after a space that does not follow a sentence end: a name, probably.
_NAME_RE = re.compile(r"(?<![.!?\"“”\s])[ \t]+([A-ZÀ-Þ][\w'’-]*)")
# English function words plus news boilerplate verbs; content words carry the story.
_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up upon very was we
were what when where which while who whom why will with would you your yours yourself
yourselves said says say saying told tell according mr mrs ms dr new one two three first
last also however may might must shall since still though us yet per via among amid across
around monday tuesday wednesday thursday friday saturday sunday week today yesterday
tomorrow january february march april june july august september october november december
"""
_STOP = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1 << 17)
def _lemma(word: str) -> str:
    # A crude plural/possessive fold: cheap, deterministic, good enough for matching.
    word = word.replace("’", "'").removesuffix("'s").strip("'-")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 17)
def _fold(word: str) -> str:
    term = _lemma(word.casefold())
    return "" if len(term) <= 1 or term in _STOP else term


def content_terms(text: str) -> list[str]:
    """Return the lowercased, plural-folded content words of a text, in order."""
    return [t for t in map(_fold, _TOKEN_RE.findall(text)) if t]


def name_forms(text: str) -> list[tuple[str, str]]:
    """Return (term, surface form) for each capitalised word inside a sentence."""
    return [(t, _lemma(raw)) for raw in _NAME_RE.findall(text) if (t := _fold(raw))]


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Thresholds and weights of the clusterer; the defaults suit any corpus."""

    storyline_threshold: float = 0.25  # size-aware similarity to join a storyline
    # Low on purpose: an event is looked for inside the article's storyline only, where
    # the time decay (days) separates happenings more than the words do.
    event_threshold: float = 0.1  # cosine to an event centroid to join it
    merge_threshold: float = 0.07  # average linkage that merges two storylines
    size_exponent: float = 0.3  # 0: centroid cosine, 1: average linkage; between: both
    merge_exponent: float = 1.0  # the same blend for the similarity of two storylines
    refine_passes: int = 1  # second passes with the final idf; more moves little
    max_terms: int = 150  # per article, highest TF-IDF first
    query_terms: int = 50  # of those, the ones compared with storyline centroids
    title_weight: float = 1.0  # extra term count for each headline word
    entity_weight: float = 2.0
    name_weight: float = 1.0  # extra count for a capitalised word inside a sentence
    storyline_grace_days: float = 14.0
    storyline_decay_days: float = 60.0
    storyline_window_days: float = 180.0
    event_grace_days: float = 1.0
    event_decay_days: float = 3.0
    label_names: int = 3
    label_terms: int = 2
    # Headlines only: vectors of ~6 words are too sparse for cosine thresholds, so a
    # collapsed-Gibbs (GSDMM-style) pass, deterministic argmax, refines the assignment.
    short_doc_terms: float = 10.0  # mean content words per article at or below which
    gibbs_alpha: float = 0.1
    gibbs_beta: float = 0.1
    gibbs_iterations: int = 3
    # Who/where: an article naming entities, none of them among a storyline's principal ones
    # (named by at least principal_share of its members), is likely the same kind of news about
    # someone else (two storms, two NFL games): its similarity is multiplied by stranger_factor;
    # two storylines with disjoint principals merge likewise less. Off (1.0) by default: with
    # the NLP stage's entities, 0.5 gained on the same-kind pairs (B-cubed 0.831 -> 0.836) but
    # lost on all of GoogleNews TS (0.893 -> 0.878); both sets are lowercased, so their names are
    # noisy; measure on cased multi-outlet text before turning it on. Storylines only: inside a
    # storyline the gate split events (same-kind event B-cubed 0.804 -> 0.755).
    stranger_factor: float = 1.0
    principal_share: float = 0.5
    # When: an article's event is placed on the day its first dated sentence gives when that day
    # is at most this many days before publication (news tells the last days' happenings; an
    # older date is background, "Jackson died in 2009", and the publication day stands).
    event_day_window: int = 7


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


def _ordinal(published: str | None) -> int | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


def _decay(day: int | None, cluster: _Cluster, grace: float, tau: float) -> float:
    if day is None or cluster.first is None or cluster.last is None:
        return 1.0
    gap = max(0, cluster.first - day, day - cluster.last)
    return math.exp(-max(0.0, gap - grace) / tau)


def _gap(day: int | None, cluster: _Cluster) -> int:
    if day is None or cluster.first is None or cluster.last is None:
        return 0
    return max(0, cluster.first - day, day - cluster.last)


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


def _names(vec: Vector) -> list[str]:
    return [t for t in vec if t.startswith(_ENTITY_PREFIX)]


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


def _publication_order(articles: Sequence[CleanArticle]) -> list[CleanArticle]:
    if not any(_ordinal(a.published) is not None for a in articles):
        return list(articles)
    keyed = [(_ordinal(a.published), n, a) for n, a in enumerate(articles)]
    keyed.sort(key=lambda k: (k[0] is None, k[0] or 0, k[1]))
    return [a for _, _, a in keyed]


def _label(state: ClusterState, cluster: _Cluster, settings: ClusterSettings) -> str:
    terms = sorted(cluster.centroid.items(), key=lambda kv: (-kv[1], kv[0]))
    names: list[str] = []
    keys: list[str] = []
    for term, _ in terms[:60]:
        if term.startswith(_ENTITY_PREFIX):
            name = term.removeprefix(_ENTITY_PREFIX).title()
            if name not in names and len(names) < settings.label_names:
                names.append(name)
        elif state.seen[term] and state.caps[term] * 3 > state.seen[term]:
            name = state.surface.get(term, term.title())
            if name not in names and len(names) < settings.label_names:
                names.append(name)
        elif len(keys) < settings.label_terms:
            keys.append(term)
    return ", ".join(names) + (": " if names and keys else "") + " ".join(keys)


def _iso(day: int | None) -> str | None:
    return None if day is None else date.fromordinal(day).isoformat()


def _stories(state: ClusterState, settings: ClusterSettings) -> list[Story]:
    out: list[Story] = []
    for cluster in [*state.storylines.values(), *state.events.values()]:
        members = sorted(cluster.members, key=lambda a: state.seq[a])
        out.append(
            Story(
                id=cluster.id,
                label=_label(state, cluster, settings),
                level=cluster.level,
                article_ids=tuple(members),
                parent=cluster.parent,
                first_date=_iso(cluster.first),
                last_date=_iso(cluster.last),
            )
        )
    out.sort(key=lambda s: (s.level != "storyline", s.first_date or "", s.id))
    return out


def cluster_articles(
    articles: Sequence[CleanArticle],
    *,
    entities: Mapping[str, Sequence[str]] | None = None,
    duplicates: Mapping[str, str] | None = None,
    state: ClusterState | None = None,
    settings: ClusterSettings | None = None,
    events: Sequence[DatedEvent] = (),
) -> tuple[list[Story], ClusterState]:
    """Add a batch of articles to the stories in ``state`` (a new state if None).

    ``entities`` maps article id -> entity names; ``duplicates`` maps a copy's id to its
    original's id (from ``dedupe.find_duplicates``): copies join their original's stories.
    ``events`` are the articles' dated sentences (``extract.events``): an article's event is
    then placed on the day its happening took place (``event_days``), not its publication day.
    The given state is updated in place and returned with every story it now holds.
    """
    settings = settings or ClusterSettings()
    state = state if state is not None else ClusterState()
    entities = entities or {}
    duplicates = duplicates or {}
    fresh = [a for a in _publication_order(articles) if a.id not in state.seq]
    batch_ids = {a.id for a in fresh}
    known = batch_ids | state.seq.keys()
    originals = [a for a in fresh if duplicates.get(a.id) not in known]
    copies = [a for a in fresh if duplicates.get(a.id) in known]
    for article in fresh:
        state.seq[article.id] = len(state.seq)
        # a month or a year is no day: such an article widens no event's or storyline's dates
        known_day = article.published_precision == "day"
        state.dates[article.id] = _ordinal(article.published) if known_day else None
    counts = {a.id: _term_counts(a, entities.get(a.id, ()), settings, state) for a in originals}
    order = [a.id for a in originals]
    run = _Run(state, settings)
    run.event_days = {
        aid: day
        for aid, iso in event_days(events, settings.event_day_window).items()
        if (day := _ordinal(iso)) is not None
    }
    run.single_pass(order, counts)
    run.refine(order, counts)
    run.merge()
    if settings.refine_passes > 1:
        run.reassign(order)
    words = _short_words(originals, settings.short_doc_terms)
    if words:
        refine_short(run, order, words)
    run.events(order)
    for article in copies:
        original = _root(duplicates, article.id)
        _follow(state, article.id, original)
    state.batches += 1
    return _stories(state, settings), state


def event_days(events: Sequence[DatedEvent], window: int) -> dict[str, str]:
    """Return article id -> the day of its first dated sentence that gives a recent day.

    Recent: on the publication day or at most ``window`` days before it. Articles without
    such a sentence (or without a publication day) are left out: their publication day stands.
    """
    days: dict[str, str] = {}
    for event in sorted(events, key=lambda e: (e.article_id, e.start)):
        if event.article_id in days or len(event.date) != 10 or not event.published:
            continue
        day, published = _ordinal(event.date), _ordinal(event.published)
        if day is not None and published is not None and 0 <= published - day <= window:
            days[event.article_id] = event.date
    return days


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


def _root(duplicates: Mapping[str, str], article_id: str) -> str:
    seen = {article_id}
    current = duplicates[article_id]
    while current in duplicates and current not in seen:
        seen.add(current)
        current = duplicates[current]
    return current


def _follow(state: ClusterState, article_id: str, original: str) -> None:
    day = state.dates[article_id]
    for table, of in ((state.storylines, state.storyline_of), (state.events, state.event_of)):
        cid = of.get(original)
        if cid is None or cid not in table:
            continue
        table[cid].members.append(article_id)
        _widen(table[cid], day)
        of[article_id] = cid
