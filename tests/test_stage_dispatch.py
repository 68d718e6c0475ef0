"""Built-in stages register and run exactly as a third-party one: dispatched by their spec.

Every built-in is a factory (``factory=True``): given the run's settings and values it
describes its work for the runner of its ``unit`` (``ArticleStage``, ``StorylineStage``,
``CorpusStage``), and ``stage_runner.run_stage`` hands it to that runner; a third-party
factory stage gets the same runner, boundary and writes.
"""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

import storyline
from storyline import builtin_stages, registry, stage_runner
from storyline.article_runner import ArticleStage
from storyline.boundary import RunTally
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.config import load_settings
from storyline.corpus_runner import CorpusStage
from storyline.errors import INTERNAL
from storyline.quote_groups import GroupParams
from storyline.registry import Pipeline, PipelineError, RunContext, RunSetup, specs_in, stage
from storyline.stage_runner import run_stage
from storyline.store import Store
from storyline.storyline_runner import StorylineStage
from tests.conftest import EXAMPLES

runner = CliRunner()
_RUNNER_OF = {"article": ArticleStage, "storyline": StorylineStage, "corpus": CorpusStage}
_FILES = (
    "a1_marenholt_courier_dam_breach.txt",
    "a3_northern_ledger_marrow_visit.txt",
    "b1_estmark_tribune_strike_begins.txt",
)


class PoisonError(RuntimeError):
    """What the test stage raises on its victim storyline."""


def test_stage_dispatch_every_builtin_is_a_factory_described_for_its_units_runner():
    assert "context" not in {f.name for f in dataclasses.fields(registry.StageSpec)}
    values = {
        "duplicates": {},
        "sentence_model": None,
        "endpoint": None,
        "quote_group_params": GroupParams(),
    }
    setup = RunSetup(load_settings(), values)
    specs = specs_in(builtin_stages)
    assert len(specs) == 10
    for spec in specs:
        assert spec.factory, spec.name
        work = spec.func(setup)
        assert isinstance(work, _RUNNER_OF[spec.unit]), spec.name
        assert work.name == spec.label  # progress, Rejected rows and summary use the label


def test_stage_dispatch_a_builtin_article_stage_runs_through_the_article_runner(
    tmp_path, monkeypatch
):
    seen: list[str] = []
    real = stage_runner.run_articles

    def recording(work, *args, **kwargs):
        seen.append(work.name)
        return real(work, *args, **kwargs)

    monkeypatch.setattr(stage_runner, "run_articles", recording)
    with storyline.open(tmp_path / "d.db") as workspace:
        workspace.ingest([EXAMPLES / name for name in _FILES])
        ctx = RunContext(workspace.store, workspace.settings, None, RunTally())
        dates = Pipeline.load().find("dates")
        first = run_stage(dates, ctx)
        again = run_stage(dates, ctx)
        stored = workspace.store.count("timexes")
    assert seen == ["dates", "dates"]
    assert first.counts["dated"] == len(_FILES)
    assert first.counts["timexes"] == stored > 0
    assert again.counts["dated"] == 0  # the runner's pending selection: nothing left


def test_stage_dispatch_a_factory_described_for_another_unit_is_refused(store):
    @stage("acme.confused.v1", requires={"clean"}, unit="storyline", factory=True)
    def confused(run: RunSetup) -> ArticleStage:
        return builtin_stages.clean(run)

    ctx = RunContext(store, load_settings())
    with pytest.raises(PipelineError, match=r"acme\.confused\.v1 \(unit storyline\)"):
        run_stage(specs_in(confused)[0], ctx)


def _sizes_stage() -> registry.StageSpec:
    """A third-party factory stage of unit storyline that raises on the first storyline."""
    victim: dict[str, str] = {}

    def tasks(store, stories):
        for story in stories:
            victim.setdefault("id", story.id)
            yield story.id, "", (story.id, len(story.article_ids))

    def work(task):
        story_id, size = task
        if story_id == victim["id"]:
            raise PoisonError(story_id)
        return story_id, {"articles": size}

    def save(store, built, _keep, _state):
        store.save_outputs("acme.sizes.v1", dict(built), replace=True)

    @stage(
        "acme.sizes.v1",
        requires={"stories"},
        provides={"acme.sizes"},
        unit="storyline",
        factory=True,
    )
    def sizes(_run: RunSetup) -> StorylineStage:
        return StorylineStage(
            "acme.sizes.v1",
            stories=lambda store: store.stories(level="storyline", order="id"),
            tasks=tasks,
            work=work,
            count=lambda _built: {"sized": 1},
            save=save,
            totals=("sized",),
        )

    return specs_in(sizes)[0]


def test_stage_dispatch_a_raising_storyline_stage_is_one_s199_row_and_the_run_goes_on(
    tmp_path, monkeypatch
):
    spec = _sizes_stage()
    # first in the list: it runs as soon as stories exist, before timeline and briefing
    monkeypatch.setattr(registry, "load_specs", lambda: [spec, *specs_in(builtin_stages)])
    assert [s.label for s in Pipeline.load().stages].index("acme.sizes.v1") == 7
    db = str(tmp_path / "s.db")
    paths = [str(EXAMPLES / name) for name in _FILES]
    result = runner.invoke(app, ["run", *paths, "--db", db, "--workers", "1"])
    assert result.exit_code == EXIT_REJECTED, result.output
    with Store(db) as store:
        storylines = [s.id for s in store.stories(level="storyline", order="id")]
        rows = [r for r in store.rows("rejected") if r["stage"] is not None]
        outputs = {o["item_id"]: o["output"] for o in store.stage_outputs("acme.sizes.v1")}
        briefed = {r["story_id"] for r in store.rows("briefings")}
    assert len(storylines) >= 2
    victim = storylines[0]
    assert [(r["stage"], r["item_id"], r["code"]) for r in rows] == [
        ("acme.sizes.v1", victim, INTERNAL)
    ]
    assert "PoisonError" in rows[0]["detail"]
    assert "Traceback" in rows[0]["detail"]
    assert set(outputs) == set(storylines) - {victim}  # the others were sized
    assert f"acme.sizes.v1: {len(storylines) - 1} sized" in result.output
    assert set(storylines) <= briefed  # the stages after it ran, on every storyline
