"""Incremental runs: nothing new means no stage work; new articles cost only what they touch."""

from __future__ import annotations

import io

import storyline
from storyline import quote_groups_stage, stages
from storyline.briefing import stage as briefing_stage
from storyline.export import WHATS, export_rows, write_export
from tests.conftest import EXAMPLES


def _dump(workspace) -> dict[str, str]:
    found = {}
    for what in WHATS:
        out = io.StringIO()
        write_export(export_rows(workspace.store, what), out, "jsonl")
        found[what] = out.getvalue()
    return found


def _forbid(monkeypatch, module, name: str) -> None:
    def no_work(*_args, **_kwargs):
        raise AssertionError(f"{name} ran on a rerun with nothing new")

    monkeypatch.setattr(module, name, no_work)


def test_incremental_a_rerun_with_nothing_new_does_no_stage_work(tmp_path, monkeypatch):
    with storyline.open(tmp_path / "rerun.db") as workspace:
        workspace.ingest([EXAMPLES])
        first = workspace.run(workers=1)
        before = _dump(workspace)
        for name in ("signed", "assess_quality", "merge_entities", "cluster_articles"):
            _forbid(monkeypatch, stages, name)
        _forbid(monkeypatch, stages, "build_timeline")
        _forbid(monkeypatch, briefing_stage, "find_claims")
        _forbid(monkeypatch, quote_groups_stage, "group_quotes")
        again = workspace.run(workers=1)
        assert again.rejected == ()  # a forbidden call would be a Rejected row
        assert _dump(workspace) == before
    # the corpus stages report what they stored; the pending ones that nothing was pending
    for stage in ("clean", "dedupe", "entities", "quality", "stories", "timeline", "briefing"):
        assert again.counts(stage) == first.counts(stage), stage
    assert again.counts("nlp") == {"parsed": 0, "mentions": 0, "quotes": 0}


def test_incremental_a_settings_change_runs_the_stages_again(tmp_path, monkeypatch):
    with storyline.open(tmp_path / "settings.db") as workspace:
        workspace.ingest([EXAMPLES])
        workspace.run(workers=1)
        calls = []
        real = stages.assess_quality
        monkeypatch.setattr(
            stages, "assess_quality", lambda *a, **k: calls.append(1) or real(*a, **k)
        )
        quality = workspace.settings.quality.model_copy(update={"min_words": 10})
        workspace.settings = workspace.settings.model_copy(update={"quality": quality})
        workspace.run(workers=1)
        assert len(calls) == workspace.store.count("articles")  # every article, copies too


def _counting(monkeypatch, module, name: str) -> list[str]:
    calls: list[str] = []
    real = getattr(module, name)

    def counted(article, *args, **kwargs):
        calls.append(article.id)
        return real(article, *args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_incremental_a_new_article_is_signed_and_assessed_alone(tmp_path, monkeypatch):
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})
    with storyline.open(tmp_path / "more.db") as workspace:
        workspace.ingest(files[:-1])
        workspace.run(workers=1)
        signed = _counting(monkeypatch, stages, "signed")
        assessed = _counting(monkeypatch, stages, "assess_quality")
        workspace.ingest(files[-1:])
        workspace.run(workers=1)
        new = {a.id for a in workspace.articles() if a.locator.endswith(files[-1].name)}
        total = workspace.store.count("articles")
    assert set(signed) == new  # the others' signatures are stored
    # the new article, and only those whose quotes (speakers) or original changed with it
    assert new <= set(assessed)
    assert len(assessed) < total
