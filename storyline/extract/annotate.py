"""The NLP stage: parse articles with spaCy and keep only plain records (mentions, quotes).

Work is done in chunks so that one process parses many texts through ``nlp.pipe`` with its own
model; chunks map over any executor, and the Docs never leave this process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.extract.entities import find_mentions
from storyline.extract.nlp import PIECE_CHARS, load_model, parse
from storyline.extract.quotes.find import find_quotes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.models import CleanArticle, Mention, Quote


@dataclass(frozen=True, slots=True)
class Annotations:
    """What the NLP stage found in one article."""

    article_id: str
    mentions: tuple[Mention, ...]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A batch of articles for one worker, with the model it must use."""

    articles: tuple[CleanArticle, ...]
    model: str
    batch_size: int = 64
    # [nlp] piece_chars: longer articles are parsed in pieces (see ``nlp.parse``)
    piece_chars: int = PIECE_CHARS


def annotate_chunk(chunk: Chunk) -> list[Annotations]:
    """Parse a chunk of articles and return their mentions and quotes, in input order."""
    nlp = load_model(chunk.model)
    texts = (a.text for a in chunk.articles)
    docs = parse(texts, nlp, batch_size=chunk.batch_size, piece_chars=chunk.piece_chars)
    return [
        Annotations(
            article.id,
            tuple(find_mentions(doc, article.id)),
            tuple(find_quotes(doc, article.id, title=article.title)),
        )
        for article, doc in zip(chunk.articles, docs, strict=True)
    ]


def chunked(
    articles: Sequence[CleanArticle],
    *,
    model: str,
    size: int,
    batch_size: int = 64,
    piece_chars: int = PIECE_CHARS,
) -> list[Chunk]:
    """Split articles into chunks of ``size`` for ``annotate_chunk``."""
    return [
        Chunk(tuple(articles[i : i + size]), model, batch_size, piece_chars)
        for i in range(0, len(articles), size)
    ]
