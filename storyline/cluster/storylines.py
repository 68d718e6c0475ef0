"""``cluster_articles``: a batch of articles into events and storylines, and the stories out."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from storyline.cluster.features import _ENTITY_PREFIX, _ordinal, _term_counts
from storyline.cluster.online import _Run, _short_words, refine_short
from storyline.cluster.settings import ClusterSettings
from storyline.cluster.state import ClusterState, _widen
from storyline.models import Story

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.cluster.state import _Cluster
    from storyline.models import CleanArticle, DatedEvent


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
