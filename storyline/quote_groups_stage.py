"""The quote-groups stage: each storyline's quotes grouped by statement, then stored.

It runs after entities (quotes carry canonical speakers), quality (flagged pages are known)
and clustering (storylines exist). Storylines are independent of each other: one whose
grouping raises becomes a Rejected row (stage ``quote_groups``, ``storyline_runner``) and
the others are grouped as usual; it is tried again next run, since a storyline changes as
articles join it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storyline.code_version import stage_version
from storyline.quote_groups import GroupParams, QuoteArticle, group_quotes, text_key
from storyline.story_marks import mark_of
from storyline.storyline_runner import StorylineStage, Task, run_storylines

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from storyline.boundary import RunTally
    from storyline.models import Quote, QuoteGroup, Story
    from storyline.store import Store
    from storyline.summaries import StageSummary

_STAGE = "quote_groups"
_VERSION = "quote_groups.v1"  # bump when grouping changes what it makes of the same inputs
_PAIRS = "quote_pairs.v1"  # token-alignment scores by quote pair (``quote_groups._Aligned``)


def quote_groups_stage(duplicates: dict[str, str], params: GroupParams) -> StorylineStage:
    """Declare the quote-groups stage for ``storyline_runner``: each storyline's groups.

    A storyline's task is everything ``group_quotes`` reads about it, as its arguments; its
    mark digests them with the grouping settings. Token-alignment scores of quote pairs from
    earlier runs are read with the tasks and kept with the groups: a storyline grouped again
    encodes only the quotes of its new pairs (a score is keyed by both texts; encoded in a
    smaller batch, a new score may differ from an all-at-once run in the last float digits).
    At the end of the stage the cache keeps only the pairs whose two texts some stored quote
    still has (under the current model and layer), so it never outgrows the quotes.
    """
    setting = repr((params.sentence_model, params.encoder_layer, stage_version()))
    scores: dict[str, float] = {}  # filled by ``tasks``, read and extended by ``work``
    saved: dict[str, float] = {}  # the cache as stored, to write it only when it changed
    live: set[str] = set()  # ``text_key`` of every stored quote's text
    outdated = [False]  # a cache stored under another setting: replaced even if nothing new

    def tasks(store: Store, storylines: Sequence[Story]) -> Iterator[Task]:
        stored = json.loads(store.get_state(_PAIRS) or b"{}")
        scores.clear()
        saved.clear()
        live.clear()
        outdated[0] = bool(stored) and stored.get("setting") != setting
        if not outdated[0]:
            saved.update(stored.get("scores", {}))
        scores.update(saved)
        untrusted = frozenset(store.untrusted())
        facts = store.outlets_and_dates().items()
        articles = {a: QuoteArticle(a, *found) for a, found in facts}
        by_article: dict[str, list[Quote]] = {}
        for quote in store.quotes():
            by_article.setdefault(quote.article_id, []).append(quote)
            live.add(text_key(quote.text, params))
        for story in storylines:
            ids = story.article_ids
            args = (
                story.id,
                [q for article_id in ids for q in by_article.get(article_id, [])],
                {a: articles.get(a) or QuoteArticle(a) for a in ids},
                links(duplicates, ids),  # grouping follows copy links from its own articles only
                untrusted.intersection(ids),
            )
            yield story.id, mark_of(_VERSION, params, args), args

    def work(args: tuple[Any, ...]) -> list[QuoteGroup]:
        sid, quotes, arts, links_, untrusted_ = args
        return group_quotes(
            sid,
            quotes,
            arts,
            duplicates=links_,
            untrusted=untrusted_,
            params=params,
            scores=scores,
        )

    def save(
        store: Store, built: list[list[QuoteGroup]], keep: set[str], state: tuple[str, bytes]
    ) -> None:
        store.replace_quote_groups([g for found in built for g in found], keep=keep, state=state)
        cut = len(text_key("", params))  # a pair's key is its two text keys side by side
        kept = {k: v for k, v in scores.items() if k[:cut] in live and k[cut:] in live}
        if kept != saved or outdated[0]:
            store.set_state(_PAIRS, json.dumps({"setting": setting, "scores": kept}).encode())

    return StorylineStage(
        _STAGE,
        stories=lambda store: store.stories(level="storyline", order="id"),
        tasks=tasks,
        work=work,
        count=lambda found: {"groups": len(found), "shared": _shared(found)},
        save=save,
        totals=("groups", "shared"),
    )


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
    stage = quote_groups_stage(duplicates, params or GroupParams())
    return run_storylines(stage, store, None, tally)


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
