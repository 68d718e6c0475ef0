"""The one per-article runner: pending items, chunks over the executor, the per-item boundary,
the stage's writes, progress and summed counts, whatever the stage."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

import storyline
from storyline.article_runner import ArticleStage, run_articles
from storyline.boundary import RunTally, guard
from storyline.errors import INTERNAL
from tests.conftest import EXAMPLES

_FILES = (
    "a1_marenholt_courier_dam_breach.txt",
    "a3_northern_ledger_marrow_visit.txt",
    "a5_orvel_herald_shelters.txt",
    "b1_estmark_tribune_strike_begins.txt",
    "b4_circuit_weekly_deal.txt",
)


def _words(article, victim: str) -> tuple[str, int]:
    if article.id == victim:
        raise ValueError(f"cannot count {victim}")
    return article.id, len(article.text.split())


def word_work(articles, victim: str) -> list:
    """Top level, so a process pool can pickle it: (id, words) per article, or the Failure."""
    return [guard("words", lambda a: _words(a, victim), a, a.id) for a in articles]


def _stage(saved: list, victim: str) -> ArticleStage:
    def save(store, results, failed):
        saved.append(([i for i, _ in results], [f.item_id for f in failed]))
        store.save_stage("words", [i for i, _ in results] + [f.item_id for f in failed])

    return ArticleStage(
        "words",
        work=word_work,
        save=save,
        count=lambda results, failed: {
            "counted": len(results),
            "words": sum(n for _, n in results),
        },
        chunk=2,
        prepare=lambda _store: victim,
    )


@pytest.mark.parametrize("pool", [False, True])
def test_article_runner_rejects_one_item_stores_the_rest_in_order_and_sums_counts(tmp_path, pool):
    with storyline.open(tmp_path / "r.db") as workspace:
        workspace.ingest([EXAMPLES / name for name in _FILES])
        store = workspace.store
        ids = store.article_ids()
        victim = ids[2]
        steps: list[tuple[str, int, int]] = []
        tally = RunTally(progress=lambda *step: steps.append(step))
        saved: list = []
        if pool:
            with ProcessPoolExecutor(2) as executor:
                summary = run_articles(_stage(saved, victim), store, executor, tally)
        else:
            summary = run_articles(_stage(saved, victim), store, None, tally)
        # chunks of two, in ingest order; the victim is a failure of its chunk, not a result
        assert saved == [(ids[0:2], []), ([ids[3]], [victim]), ([ids[4]], [])]
        assert steps == [("words", 0, 5), ("words", 2, 5), ("words", 4, 5), ("words", 5, 5)]
        words = sum(len(a.text.split()) for a in store.articles() if a.id != victim)
        assert summary.stage == "words"
        assert dict(summary.counts) == {"counted": 4, "words": words}
        assert [(r.locator, r.code) for r in tally.rejected] == [(f"words:{victim}", INTERNAL)]
        # every item, the rejected one too, is done: a rerun has nothing pending
        again = run_articles(_stage([], victim), store, None, RunTally())
        assert dict(again.counts) == {"counted": 0, "words": 0}
