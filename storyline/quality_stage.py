"""The quality stage: each article whose report's inputs changed is assessed again.

``stages.quality_work`` assesses a chunk (on the executor); this module declares the stage for
``article_runner``: which articles are pending (``quality_mark`` differs from the stored one),
what each chunk is given (the original an article copies, its quotes), and the writes: every
report, with each article's mark and untrusted flag, stored at the end of the run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from storyline.article_runner import ArticleStage, run_articles
from storyline.quality.assess import UNTRUSTED_FLAGS
from storyline.stages import article_ids, iter_articles, quality_work
from storyline.story_marks import mark_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from concurrent.futures import Executor

    from storyline.boundary import Failure, RunTally
    from storyline.models import CleanArticle, QualityReport, Quote
    from storyline.quality.assess import QualityThresholds
    from storyline.store import Store
    from storyline.summaries import StageSummary

_QUALITY_STATE = "quality.v1"  # each article's quality_mark when last assessed, and its flag
_READ_CHUNK = 500  # the [run] read_chunk default (defaults.toml says why)


class _QualityRun:
    """The quality stage's driver-side state for one run: each article's mark and flag.

    Mutable on purpose, as ``RunTally``: the driver alone adds to it, chunk after chunk.
    """

    def __init__(
        self, duplicates: dict[str, str], setting: str, read_chunk: int = _READ_CHUNK
    ) -> None:
        self.duplicates, self.setting, self.read_chunk = duplicates, setting, read_chunk
        self.quotes: dict[str, list[Quote]] = defaultdict(list)
        self.marks: dict[str, list[Any]] = {}
        self.rows: list[tuple[str, float, Sequence[str]]] = []
        self.reasons: dict[str, Sequence[str]] = {}
        self.redone = 0

    def pending(self, store: Store) -> list[str]:
        """Return the articles whose report's inputs changed since they were last assessed."""
        for quote in store.quotes():
            self.quotes[quote.article_id].append(quote)
        skip = store.rejected_items("quality")
        saved = json.loads(store.get_state(_QUALITY_STATE) or b"{}")
        known = saved.get("articles", {}) if saved.get("settings") == self.setting else {}
        # assessed before, by other code or settings: counted as assessed again ("redone")
        before = set(saved.get("articles", {})) if not known else set()
        todo: list[str] = []
        unskipped = [a for a in article_ids(store) if a not in skip]
        for article in iter_articles(store, unskipped, self.read_chunk):
            original = self.duplicates.get(article.id)
            mark = quality_mark(article, original, self.quotes.get(article.id, []))
            if known.get(article.id, [None])[0] == mark:
                self.marks[article.id] = known[article.id]
            else:
                self.marks[article.id] = [mark, False]
                todo.append(article.id)
                self.redone += article.id in before
        return todo

    def read(self, articles: Iterable[CleanArticle]) -> list[Any]:
        """Return each article with the original it copies and its quotes."""
        return [(a, self.duplicates.get(a.id), self.quotes.get(a.id, [])) for a in articles]

    def save(self, _store: Store, reports: list[QualityReport], failed: list[Failure]) -> None:
        """Keep a chunk's reports; they are stored together at the end (``finish``)."""
        for failure in failed:
            self.marks.pop(failure.item_id, None)
        self.rows.extend((r.article_id, r.score, r.flags) for r in reports)
        self.reasons.update((r.article_id, r.reasons) for r in reports)
        for r in reports:
            self.marks[r.article_id][1] = bool(set(r.flags) & set(UNTRUSTED_FLAGS))

    def finish(self, store: Store, _totals: dict[str, int]) -> dict[str, int]:
        """Store the reports and marks; count every article's flag, assessed now or before."""
        store.set_quality(self.rows, self.reasons)
        state = {"settings": self.setting, "articles": self.marks}
        store.set_state(_QUALITY_STATE, json.dumps(state).encode())
        flagged = sum(flagged for _, flagged in self.marks.values())
        counts = {"flagged": flagged, "assessed": len(self.marks)}
        return counts | ({"redone": self.redone} if self.redone else {})


def quality_stage(
    duplicates: dict[str, str],
    sentence_model: str | None = None,
    thresholds: QualityThresholds | None = None,
    *,
    chunk: int = 50,
    read_chunk: int = _READ_CHUNK,
) -> ArticleStage:
    """Declare the quality stage for ``article_runner``: the articles whose inputs changed."""
    # other settings, or another code version (in every mark), assess every article again
    setting = mark_of("quality.settings.v1", sentence_model, thresholds)
    run = _QualityRun(duplicates, setting, read_chunk)
    return ArticleStage(
        "quality",
        work=quality_work,
        save=run.save,
        count=lambda _results, _failed: {},
        chunk=chunk,
        prepare=lambda _store: (sentence_model, thresholds),
        pending=run.pending,
        read=run.read,
        finish=run.finish,
    )


def run_quality(
    store: Store,
    duplicates: dict[str, str],
    executor: Executor | None = None,
    sentence_model: str | None = None,
    *,
    tally: RunTally | None = None,
    thresholds: QualityThresholds | None = None,
    chunk: int = 50,
    read_chunk: int = _READ_CHUNK,
) -> StageSummary:
    """Score the trustworthiness of each article whose inputs changed; store its flags.

    Each article is assessed on its own, so chunks of articles map over ``executor``
    (``article_runner``); ``sentence_model`` names the encoder the coherence signals use
    (None: word vectors only). An article is assessed again only when what its report reads
    changed since it was last assessed (``quality_mark``: its content, the original it
    copies, its quotes with their speakers, the settings); the others keep their stored flags.
    """
    stage = quality_stage(
        duplicates, sentence_model, thresholds, chunk=chunk, read_chunk=read_chunk
    )
    return run_articles(stage, store, executor, tally)


def quality_mark(article: CleanArticle, original: str | None, quotes: Sequence[Quote]) -> str:
    """Return a digest of what an article's quality report reads (``assess_quality``).

    The one digest of stage inputs that the storyline stages use too (``story_marks``):
    every field of the records, sets sorted, and the code version.
    """
    return mark_of("quality.v1", article, original, tuple(quotes))
