"""The NLP stage's work on one chunk of articles: what its stored mentions and quotes come from.

Its own module so that the stage's version (``stage_runner.article_version``) digests this
and the extraction code it runs, not the other stages' code in ``stages``: an edit to the
timeline or the clustering must not re-parse every stored article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.boundary import Failure, failure_of, guard, is_item_error
from storyline.extract.annotate import Chunk, annotate_chunk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.extract.annotate import Annotations
    from storyline.models import CleanArticle


def annotate_guarded(chunk: Chunk) -> list[Annotations | Failure]:
    """Parse a chunk (``annotate_chunk``); when it raises, parse its articles one by one.

    Only the articles that raise alone come back as Failures: one article that breaks the
    parser costs its chunk a second, per-article pass, not its annotations.
    """
    try:
        return list(annotate_chunk(chunk))
    except Exception as exc:
        if len(chunk.articles) == 1 or not is_item_error(exc):
            if not is_item_error(exc):
                raise
            return [failure_of("nlp", chunk.articles[0].id, exc)]
    results: list[Annotations | Failure] = []
    for article in chunk.articles:
        alone = Chunk((article,), chunk.model, chunk.batch_size, chunk.piece_chars)
        found = guard("nlp", annotate_chunk, alone, article.id)
        results.append(found if isinstance(found, Failure) else found[0])
    return results


def nlp_work(articles: Sequence[CleanArticle], params: tuple[str, int, int]) -> list[Any]:
    """The NLP stage's work on one chunk: ``annotate_guarded`` with (model, batch, piece size)."""
    return annotate_guarded(Chunk(tuple(articles), *params))
