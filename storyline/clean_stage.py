"""The clean stage: an article cleaned by another version of the cleaner is cleaned again.

Ingest cleans each article from its own raw text (``pipeline._clean_batch``) and stamps it
with the cleaner's version (``stage_runner.clean_version``: a digest of this module's code
closure, which holds ``clean``, ``clean_guard`` and ``clean_weights``, and of the ``[clean]``
settings). An article stamped with another version (stored before an upgrade of the cleaner,
or before versions were stamped) is pending for this stage: ``article_runner`` gives it to
``reclean_work``, which cleans its stored raw text again as ingest would clean it now.

Only the cleaner's output is replaced: the clean text, its content hash, the removed lines,
the kept lines and the outlet found in them (``meta``). When any of it changed, every later
per-article stage does the article again (``Store.replace_clean`` clears their stamps) and the
corpus and storyline stages see a new content hash, as for an article updated by ingest. An
article whose output did not change keeps every stored row.

Ids do not move: an article's id is its input's id, else a hash of its raw text, never of its
clean text. So an article whose clean text now equals another's stays, under its own id, and
dedupe (which signs again every article whose content hash changed) finds the two as copies:
what a run of the new cleaner from scratch stores too. An article that makes the new cleaner
raise is a Rejected row (stage clean, S199) and keeps its earlier cleaning: its raw text
is kept for a cleaner that reads it (a run from scratch would not store it at all).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.boundary import Failure, guard
from storyline.clean import CLEANER_META, READER_ASIDE, clean_article
from storyline.clean_guard import PageGuard
from storyline.clean_weights import LineWeights
from storyline.models import CleanArticle, RawArticle
from storyline.text.scripts import WordMeasure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.config import Settings

# What the cleaner adds to a reader's ``meta`` (and a reader's columns of those names, set
# aside): taken off to give it the reader's meta again.
_CLEANER_META = (*CLEANER_META, READER_ASIDE)


@dataclass(frozen=True, slots=True)
class Cleaner:
    """What cleaning reads besides the article: the ``[clean]`` settings, resolved once."""

    threshold: float
    threshold_html: float
    guard: PageGuard
    weights: LineWeights
    words: WordMeasure

    @classmethod
    def from_settings(cls, settings: Settings) -> Cleaner:
        """Return the cleaner that ``[clean]`` describes."""
        clean = settings.clean
        return cls(
            clean.threshold,
            clean.threshold_html,
            PageGuard.from_values(clean.model_dump()),
            LineWeights.from_values(clean.scores.model_dump()),
            WordMeasure.from_values(settings.text.model_dump()),
        )

    def options(self, raw: RawArticle) -> dict[str, Any]:
        """Return ``clean_article``'s keywords for ``raw`` (HTML: its threshold and guard)."""
        html = raw.format == "html"
        return {
            "threshold": self.threshold_html if html else self.threshold,
            "guard": self.guard if html else None,
            "weights": self.weights,
            "words": self.words,
        }


def raw_of(stored: CleanArticle, raw_text: str) -> RawArticle:
    """Return the article as its reader gave it: the raw text, the reader's fields and meta.

    The publication date is left out: the cleaner does not read it (``recleaned`` keeps the
    stored one).
    """
    meta = {k: v for k, v in stored.meta.items() if k not in _CLEANER_META}
    meta |= stored.meta.get(READER_ASIDE) or {}
    return RawArticle(
        id=stored.id,
        title=stored.title,
        text=raw_text,
        locator=stored.locator,
        format=stored.format,
        # an outlet the cleaner found (``source_from``) was not the reader's: found again
        source=None if "source_from" in stored.meta else stored.source,
        url=stored.url,
        language=stored.language,
        raw_sha256=stored.raw_sha256,
        meta=meta,
    )


def recleaned(stored: CleanArticle, raw_text: str, cleaner: Cleaner) -> tuple[CleanArticle, bool]:
    """Return the article cleaned again by ``cleaner``, and whether its cleaning changed.

    The stored date stands, except one the dates stage guessed for a changed article: it is
    unknown again, as ingest stores it, and the dates stage guesses it from the new text.
    """
    raw = raw_of(stored, raw_text)
    fresh = clean_article(raw, **cleaner.options(raw))
    changed = _cleaning(fresh) != _cleaning(stored)
    if changed and stored.published_source == "inferred":
        return fresh, True
    dated = dataclasses.replace(
        fresh,
        published=stored.published,
        published_source=stored.published_source,
        published_confidence=stored.published_confidence,
        published_precision=stored.published_precision,
    )
    return dated, changed


def _cleaning(article: CleanArticle) -> tuple[Any, ...]:
    """Return what the cleaner made of an article, as the store keeps it."""
    meta = json.dumps(article.meta, ensure_ascii=False, sort_keys=True, default=str)
    return article.text, article.content_hash, article.removed, article.source, meta


def reclean_work(
    items: Sequence[tuple[CleanArticle, str]], cleaner: Cleaner
) -> list[tuple[CleanArticle, bool] | Failure]:
    """Clean each (stored article, raw text) again; a Failure for one that makes it raise."""
    return [
        guard("clean", lambda item: recleaned(*item, cleaner), item, item[0].id) for item in items
    ]
