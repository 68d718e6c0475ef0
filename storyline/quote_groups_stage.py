"""The quote-groups stage: each storyline's quotes grouped by statement, then stored.

It runs after entities (quotes carry canonical speakers), quality (flagged pages are known)
and clustering (storylines exist). Storylines are independent of each other: one whose
grouping raises becomes a Rejected row (stage ``quote_groups``, ``boundary.guard``) and the
others are grouped as usual; it is tried again next run, since a storyline changes as
articles join it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.boundary import RunTally, each_storyline
from storyline.quote_groups import GroupParams, QuoteArticle, group_quotes
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from storyline.models import Quote, QuoteGroup
    from storyline.store import Store


def run_quote_groups(
    store: Store,
    duplicates: dict[str, str],
    *,
    params: GroupParams | None = None,
    tally: RunTally | None = None,
) -> StageSummary:
    """Group the quotes of every storyline by the statement they report; store the groups."""
    tally = tally or RunTally()
    storylines = [s for s in store.rows("stories", order="id") if s["level"] == "storyline"]
    untrusted = frozenset(store.untrusted())
    articles = {a: QuoteArticle(a, *facts) for a, facts in store.outlets_and_dates().items()}
    by_article: dict[str, list[Quote]] = {}
    for quote in store.quotes():
        by_article.setdefault(quote.article_id, []).append(quote)

    def groups_of(story: dict[str, Any]) -> list[QuoteGroup]:
        ids = story["article_ids"]
        return group_quotes(
            story["id"],
            [q for article_id in ids for q in by_article.get(article_id, [])],
            {a: articles.get(a) or QuoteArticle(a) for a in ids},
            duplicates=duplicates,
            untrusted=untrusted.intersection(ids),
            params=params,
        )

    groups = each_storyline(store, "quote_groups", groups_of, storylines, tally)
    store.replace_quote_groups(groups)
    shared = sum(g.outlets >= 2 for g in groups)
    return StageSummary("quote_groups", {"groups": len(groups), "shared": shared})
