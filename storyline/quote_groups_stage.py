"""The quote-groups stage: each storyline's quotes grouped by statement, then stored.

It runs after entities (quotes carry canonical speakers), quality (flagged pages are known)
and clustering (storylines exist). Storylines are independent of each other: one whose
grouping raises becomes a Rejected row (stage ``quote_groups``, ``boundary.guard``) and the
others are grouped as usual; it is tried again next run, since a storyline changes as
articles join it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storyline.boundary import RunTally, by_storyline
from storyline.quote_groups import GroupParams, QuoteArticle, group_quotes
from storyline.stage_runner import stage_version
from storyline.story_marks import StoryMarks, mark_of, total
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Iterable

    from storyline.models import Quote, QuoteGroup, Story
    from storyline.store import Store

_STAGE = "quote_groups"
_VERSION = "quote_groups.v1"  # bump when grouping changes what it makes of the same inputs
_PAIRS = "quote_pairs.v1"  # token-alignment scores by quote pair (``quote_groups._Aligned``)


def run_quote_groups(
    store: Store,
    duplicates: dict[str, str],
    *,
    params: GroupParams | None = None,
    tally: RunTally | None = None,
) -> StageSummary:
    """Group the quotes of every storyline by the statement they report; store the groups.

    Only the storylines whose inputs changed since their groups were stored are grouped
    again (``story_marks``): the others keep their rows.
    """
    tally = tally or RunTally()
    params = params or GroupParams()
    storylines = store.stories(level="storyline", order="id")
    untrusted = frozenset(store.untrusted())
    articles = {a: QuoteArticle(a, *facts) for a, facts in store.outlets_and_dates().items()}
    by_article: dict[str, list[Quote]] = {}
    for quote in store.quotes():
        by_article.setdefault(quote.article_id, []).append(quote)

    def inputs(story: Story) -> tuple[Any, ...]:
        """Return everything ``group_quotes`` reads about a storyline, as its arguments."""
        ids = story.article_ids
        return (
            story.id,
            [q for article_id in ids for q in by_article.get(article_id, [])],
            {a: articles.get(a) or QuoteArticle(a) for a in ids},
            links(duplicates, ids),  # grouping follows copy links from its own articles only
            untrusted.intersection(ids),
        )

    stored = StoryMarks.load(store, _STAGE)
    marks: dict[str, tuple[str, dict[str, int]]] = {}
    todo: dict[str, tuple[Any, ...]] = {}
    for story in storylines:
        args = inputs(story)
        mark = mark_of(_VERSION, params, args)
        counts = stored.kept(story.id, mark)
        if counts is None:
            todo[story.id] = (mark, args)
        else:
            marks[story.id] = (mark, counts)

    # token-alignment scores of quote pairs from earlier runs: a storyline grouped again
    # encodes only the quotes of its new pairs (exact: a score is keyed by both texts)
    setting = repr((params.sentence_model, params.encoder_layer, stage_version()))
    saved = json.loads(store.get_state(_PAIRS) or b"{}")
    scores: dict[str, float] = saved.get("scores", {}) if saved.get("setting") == setting else {}
    known = len(scores)

    def groups_of(story: Story) -> list[QuoteGroup]:
        sid, quotes, arts, links_, untrusted_ = todo[story.id][1]
        return group_quotes(
            sid,
            quotes,
            arts,
            duplicates=links_,
            untrusted=untrusted_,
            params=params,
            scores=scores,
        )

    changed = [s for s in storylines if s.id in todo]
    built = by_storyline(store, _STAGE, groups_of, changed, tally)
    for sid, found in built.items():
        marks[sid] = (todo[sid][0], {"groups": len(found), "shared": _shared(found)})
    groups = [g for s in changed for g in built.get(s.id, [])]
    kept = set(marks) - set(built)
    store.replace_quote_groups(groups, keep=kept, state=stored.state(marks))
    if len(scores) != known:
        store.set_state(_PAIRS, json.dumps({"setting": setting, "scores": scores}).encode())
    return StageSummary(_STAGE, total((c for _, c in marks.values()), ("groups", "shared")))


def _shared(groups: list[QuoteGroup]) -> int:
    return sum(g.outlets >= 2 for g in groups)


def links(duplicates: dict[str, str], ids: Iterable[str]) -> dict[str, str]:
    """Return the copy -> original links reachable from ``ids`` (chains included)."""
    found: dict[str, str] = {}
    for article_id in ids:
        current = article_id
        while current in duplicates and current not in found:
            found[current] = duplicates[current]
            current = duplicates[current]
    return found
