"""Per-item boundaries in every stage: one article or storyline that makes a stage raise is a
Rejected row naming the stage and the item (S199, traceback kept), the run goes on, and a
rerun neither crashes nor loops on it."""

from __future__ import annotations

import io
import sqlite3

import pytest
from rich.console import Console

import storyline
from storyline import boundary, dates_stage, nlp_work, stages
from storyline.boundary import isolate
from storyline.briefing import stage as briefing_stage
from storyline.errors import INTERNAL, INVALID_FIELD, ConfigError
from storyline.render import StageBars
from tests.conftest import EXAMPLES

# three storylines' worth of the example corpus: the dam, the strike and a cup final
_FILES = (
    "a1_marenholt_courier_dam_breach.txt",
    "a3_northern_ledger_marrow_visit.txt",
    "a5_orvel_herald_shelters.txt",
    "b1_estmark_tribune_strike_begins.txt",
    "b4_circuit_weekly_deal.txt",
    "c2_stallbridge_echo_cup_final.html",
)


class PoisonError(RuntimeError):
    """What a buggy stage raises on the poisoned item."""


@pytest.fixture
def workspace(tmp_path):
    with storyline.open(tmp_path / "b.db") as opened:
        summary = opened.ingest([EXAMPLES / name for name in _FILES])
        assert summary.stored == len(_FILES)
        yield opened


def _victim(workspace) -> str:
    return workspace.store.article_ids()[1]


def _stage_rows(workspace) -> list[dict]:
    return [r for r in workspace.store.rows("rejected") if r["stage"] is not None]


def _assert_one_rejection(report, workspace, stage: str, item: str, code: str = INTERNAL):
    assert [(r.locator, r.code) for r in report.rejected] == [(f"{stage}:{item}", code)]
    rows = _stage_rows(workspace)
    assert [(r["stage"], r["item_id"], r["code"]) for r in rows] == [(stage, item, code)]
    if code == INTERNAL:
        assert "PoisonError" in rows[0]["detail"]  # the traceback is kept
        assert "Traceback" in rows[0]["detail"]


def _poison_articles(monkeypatch, module, name: str, victim: str, article_of) -> None:
    real = getattr(module, name)

    def poisoned(*args, **kwargs):
        if victim in article_of(*args, **kwargs):
            raise PoisonError(victim)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, poisoned)


def test_boundaries_an_article_that_breaks_dating_is_rejected_and_the_rest_dated(
    workspace, monkeypatch
):
    victim = _victim(workspace)
    _poison_articles(monkeypatch, dates_stage, "date_article", victim, lambda a, *_: {a.id})
    report = workspace.run(workers=1)
    _assert_one_rejection(report, workspace, "dates", victim)
    timexed = {r["article_id"] for r in workspace.store.rows("timexes")}
    assert victim not in timexed
    assert len(timexed) >= len(_FILES) - 2  # the others were dated as usual
    assert stages.pending_ids(workspace.store, "dates") == []  # marked done: not retried
    assert workspace.store.count("stories") > 0  # later stages ran
    again = workspace.run(workers=1)
    assert again.rejected == ()
    assert len(_stage_rows(workspace)) == 1


@pytest.mark.parametrize("workers", [1, 2])  # 2: the Failure comes back from a pool worker
def test_boundaries_an_article_that_breaks_the_parser_is_rejected_alone(
    workspace, monkeypatch, workers
):
    victim = _victim(workspace)
    _poison_articles(
        monkeypatch,
        nlp_work,
        "annotate_chunk",
        victim,
        lambda chunk: {a.id for a in chunk.articles},
    )
    report = workspace.run(workers=workers)
    _assert_one_rejection(report, workspace, "nlp", victim)
    mentioned = {r["article_id"] for r in workspace.store.rows("mentions")}
    assert victim not in mentioned
    assert len(mentioned) == len(_FILES) - 1  # its chunk-mates were parsed one by one
    assert stages.pending_ids(workspace.store, "nlp") == []
    assert workspace.run(workers=1).rejected == ()


def test_boundaries_an_article_that_breaks_quality_scoring_is_left_out(workspace, monkeypatch):
    victim = _victim(workspace)
    _poison_articles(monkeypatch, stages, "assess_quality", victim, lambda a, **_: {a.id})
    report = workspace.run(workers=1)
    _assert_one_rejection(report, workspace, "quality", victim)
    scored = {r["id"] for r in workspace.store.rows("articles") if r["quality"] is not None}
    assert scored == set(workspace.store.article_ids()) - {victim}


def test_boundaries_an_article_that_breaks_entity_merging_is_left_out(workspace, monkeypatch):
    victim = _victim(workspace)
    _poison_articles(
        monkeypatch, stages, "merge_entities", victim, lambda ms, **_: {m.article_id for m in ms}
    )
    report = workspace.run(workers=1)
    _assert_one_rejection(report, workspace, "entities", victim)
    entities = list(workspace.store.rows("entities"))
    assert entities
    assert all(victim not in e["article_ids"] for e in entities)
    assert workspace.run(workers=1).rejected == ()  # kept out until the article changes


def test_boundaries_an_article_that_breaks_clustering_is_left_out(workspace, monkeypatch):
    victim = _victim(workspace)
    _poison_articles(
        monkeypatch, stages, "cluster_articles", victim, lambda arts, **_: {a.id for a in arts}
    )
    report = workspace.run(workers=1)
    _assert_one_rejection(report, workspace, "stories", victim)
    stories = list(workspace.store.rows("stories"))
    clustered = {a for s in stories for a in s["article_ids"]}
    assert clustered == set(workspace.store.article_ids()) - {victim}
    assert workspace.run(workers=1).rejected == ()


def _poison_storyline(monkeypatch, module, name: str, story_of) -> dict[str, str]:
    """Make ``module.name`` raise on the first storyline it sees; return {"id": that id}."""
    real = getattr(module, name)
    victim: dict[str, str] = {}

    def poisoned(*args, **kwargs):
        story = story_of(*args, **kwargs)
        victim.setdefault("id", story)
        if story == victim["id"]:
            raise PoisonError(story)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, poisoned)
    return victim


@pytest.mark.parametrize(
    ("module", "name", "stage", "table"),
    [
        (stages, "build_timeline", "timeline", "timeline"),
        (briefing_stage, "find_claims", "claims", "briefings"),
        (briefing_stage, "build_briefing", "briefing", "briefings"),
    ],
)
def test_boundaries_a_storyline_that_breaks_a_stage_is_rejected_and_the_others_done(
    workspace, monkeypatch, module, name, stage, table
):
    victim = _poison_storyline(monkeypatch, module, name, lambda *_, story_id, **__: story_id)
    report = workspace.run(workers=1)
    _assert_one_rejection(report, workspace, stage, victim["id"])
    storylines = [s["id"] for s in workspace.store.rows("stories") if s["level"] == "storyline"]
    assert len(storylines) >= 2
    done = {r["story_id"] for r in workspace.store.rows(table)}
    assert victim["id"] not in done
    assert done  # the other storylines have theirs


@pytest.mark.parametrize(
    ("module", "name", "stage", "table"),
    [
        (stages, "build_timeline", "timeline", "timeline"),
        (briefing_stage, "find_claims", "claims", "briefings"),
    ],
)
def test_boundaries_a_storyline_rejection_is_cleared_once_the_stage_succeeds(
    workspace, monkeypatch, module, name, stage, table
):
    victim = _poison_storyline(monkeypatch, module, name, lambda *_, story_id, **__: story_id)
    workspace.run(workers=1)
    assert victim["id"] in workspace.store.rejected_items(stage)
    monkeypatch.undo()
    workspace.run(workers=1)
    assert workspace.store.rejected_items(stage) == set()
    assert victim["id"] in {r["story_id"] for r in workspace.store.rows(table)}


def test_boundaries_a_story_whose_briefing_task_cannot_be_built_is_rejected_alone(
    workspace, monkeypatch
):
    # building a briefing task reads and normalises the story's own extractions: a story that
    # makes that raise is one claims row, and every other story is still briefed
    real = briefing_stage._extracted
    calls: list[tuple[str, ...]] = []

    def poisoned(store, article_ids):
        calls.append(tuple(article_ids))
        if len(calls) == 1:
            raise PoisonError(article_ids[0])
        return real(store, article_ids)

    monkeypatch.setattr(briefing_stage, "_extracted", poisoned)
    report = workspace.run(workers=1)
    victim = next(s for s in workspace.store.stories(order="id") if s.article_ids == calls[0]).id
    _assert_one_rejection(report, workspace, "claims", victim)
    briefed = {r["story_id"] for r in workspace.store.rows("briefings")}
    assert victim not in briefed
    assert len(briefed) == len(calls) - 1  # every other story has its briefing


def test_boundaries_a_bad_stored_publication_date_is_flagged_and_the_run_goes_on(workspace):
    victim = _victim(workspace)
    # as an older version stored `--published yesterday`, unchecked
    workspace.store.conn.execute(
        "UPDATE articles SET published = 'yesterday', published_source = 'metadata' WHERE id = ?",
        (victim,),
    )
    report = workspace.run(workers=1)
    _assert_one_rejection(report, workspace, "dates", victim, code=INVALID_FIELD)
    stored = workspace.store.article(victim)
    assert stored is not None
    assert stored.published != "yesterday"  # replaced by an inferred date, or none
    assert victim in {r["article_id"] for r in workspace.store.rows("mentions")}  # analysed
    assert workspace.run(workers=1).rejected == ()  # no crash on the next run either


def test_boundaries_a_run_level_error_still_stops_the_run(workspace, monkeypatch):
    def broken_setting(*_args, **_kwargs):
        raise ConfigError("bad setting")

    monkeypatch.setattr(dates_stage, "date_article", broken_setting)
    with pytest.raises(ConfigError):
        workspace.run(workers=1)
    assert _stage_rows(workspace) == []


def test_boundaries_isolate_finds_each_poison_item_and_keeps_the_rest():
    def total(items):
        if {3, 11} & set(items):
            raise PoisonError(items)
        return sum(items)

    result, failed = isolate("s", total, list(range(16)), key=str)
    assert result == sum(range(16)) - 3 - 11
    assert sorted(f.item_id for f in failed) == ["11", "3"]
    assert {f.code for f in failed} == {INTERNAL}


def test_boundaries_isolate_raises_an_error_that_is_no_items():
    def always(_items):
        raise PoisonError

    with pytest.raises(PoisonError):
        isolate("s", always, [1, 2, 3], key=str)
    locked = sqlite3.OperationalError("database is locked")
    assert not boundary.is_item_error(locked)  # the store's trouble is the run's, not an item's


def test_boundaries_progress_bars_name_each_stage_and_reach_its_total(workspace):
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=120)
    with StageBars(terminal) as bars:
        workspace.run(workers=1, progress=bars)
    shown = out.getvalue()
    articles = len(_FILES)
    for stage in ("dates", "nlp", "quality", "stories", "timeline", "briefing"):
        assert stage in shown
    assert f"{articles}/{articles}" in shown
    finished = bars.progress.tasks
    assert {t.description for t in finished} >= {"dates", "nlp", "quality", "briefing"}
    assert all(t.completed == t.total for t in finished)
    piped = io.StringIO()
    with StageBars(Console(file=piped, force_terminal=False)) as quiet:
        quiet("dates", 1, 2)
    assert piped.getvalue() == ""  # no bars in pipes and CI logs


def test_boundaries_stage_rejections_are_stored_on_both_backends(db_store):
    failure = boundary.failure_of("timeline", "story-1", PoisonError("boom"))
    rejected = db_store.record_failures([failure, failure])  # a rerun replaces its row
    assert [(r.locator, r.code) for r in rejected] == [("timeline:story-1", INTERNAL)] * 2
    rows = list(db_store.rows("rejected"))
    assert [(r["stage"], r["item_id"], r["code"]) for r in rows] == [
        ("timeline", "story-1", INTERNAL)
    ]
    assert "PoisonError: boom" in rows[0]["detail"]
    assert db_store.rejected_items("timeline") == {"story-1"}
    assert db_store.rejected_items("dates") == set()


def test_boundaries_an_article_that_breaks_dedupe_is_an_original_and_copies_still_found(
    tmp_path, monkeypatch
):
    strike = EXAMPLES / "b1_estmark_tribune_strike_begins.txt"
    _headline, body = strike.read_text(encoding="utf-8").split("\n", 1)
    wire = tmp_path / "z_wire_strike_copy.txt"  # a syndicated copy: new headline, one more line
    wire.write_text(
        f"Chip plant staff strike in Port Sorrel\n{body}\nThe wire service contributed.\n",
        encoding="utf-8",
    )
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html", ".jsonl"})
    with storyline.open(tmp_path / "d.db") as workspace:
        workspace.ingest([*files, wire])
        by_file = {a.locator.rsplit("/", 1)[-1]: a.id for a in workspace.articles()}
        victim = by_file["a2_vdw_death_toll.html"]  # one of the example corpus's copy pair
        twin = "orvel-herald-2026-03-11-kestrin-toll"  # the other, from articles.jsonl
        _poison_articles(monkeypatch, stages, "signed", victim, lambda a, **_: {a.id})
        report = workspace.run(workers=1)
        _assert_one_rejection(report, workspace, "dedupe", victim)
        copies = workspace.store.duplicates()
        # the other copies are still found: the wire copy and the strike story it copies
        assert {frozenset(pair) for pair in copies.items()} == {
            frozenset({by_file[strike.name], by_file[wire.name]})
        }
        # the victim is an original: no copy of its twin, nothing a copy of it, parsed
        assert victim not in copies
        assert twin not in copies
        assert victim not in copies.values()
        assert victim in {r["article_id"] for r in workspace.store.rows("mentions")}
        again = workspace.run(workers=1)  # kept out until it changes: no new row, no crash
        assert again.rejected == ()
        assert workspace.store.duplicates() == copies
        assert len(_stage_rows(workspace)) == 1
