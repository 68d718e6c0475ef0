"""A third-party stage, installed as a distribution with an entry point, runs in `storyline run`.

The package and its ``.dist-info`` (METADATA + entry_points.txt) are written into tmp_path and
put on sys.path: ``importlib.metadata`` finds them as it finds any installed distribution.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.errors import INTERNAL
from storyline.registry import Pipeline
from storyline.store import Store
from tests.conftest import EXAMPLES, REPO

runner = CliRunner()

_STAGES = """
from storyline.registry import stage


@stage("acme.wordcount.v1", requires={"clean"}, provides={"acme.words"}, unit="article")
def wordcount(article):
    if article.title == POISON:
        raise RuntimeError("acme cannot count this one")
    return {"words": len(article.text.split()), "title": article.title}


@stage("acme.storysize.v1", requires={"stories", "acme.words"}, provides={"acme.size"},
       unit="storyline")
def storysize(story):
    return {"articles": len(story.articles), "first": story.article_ids[0]}
"""

# the headline of one example article (examples/corpus/a1_marenholt_courier_dam_breach.txt)
_VICTIM = "Kestrin Dam gives way, flooding Lowgate and river villages"


def _install(site: Path, package: str, poison: str | None) -> Path:
    """Write a distribution with ``package`` and its entry point into ``site``; return it."""
    (site / package).mkdir(parents=True)
    source = f"POISON = {poison!r}\n" + textwrap.dedent(_STAGES)
    (site / package / "__init__.py").write_text(source, encoding="utf-8")
    info = site / f"{package}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[storyline.stages]\n{package} = {package}\n", encoding="utf-8"
    )
    return site


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """Install the acme stages (no poison) for this test, as a pip install would."""
    site = _install(tmp_path / "site", "acme_stages", poison=None)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_stages", raising=False)
    yield site
    sys.modules.pop("acme_stages", None)


@pytest.fixture
def poisoned(tmp_path, monkeypatch):
    """Install acme stages whose word count raises on one example article."""
    site = _install(tmp_path / "site", "acme_poisoned", poison=_VICTIM)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_poisoned", raising=False)
    yield site
    sys.modules.pop("acme_poisoned", None)


def _export(db: str, what: str) -> list[dict]:
    result = runner.invoke(app, ["export", "--what", what, "--db", db])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_plugins_entry_point_stage_joins_the_pipeline_after_what_it_requires(plugin):
    names = [spec.name for spec in Pipeline.load().stages]
    assert names[-1] == "acme.storysize.v1"  # requires stories: after every built-in it waits on
    assert names.index("acme.wordcount.v1") > names.index("storyline.clean.v1")
    listed = runner.invoke(app, ["stages", "--json"])
    assert "acme.wordcount.v1" in {s["name"] for s in json.loads(listed.output)}


def test_plugins_stage_runs_in_storyline_run_and_its_output_is_exported(plugin, tmp_path):
    db = str(tmp_path / "s.db")
    first = runner.invoke(app, ["run", str(EXAMPLES), "--db", db, "--workers", "1"])
    assert first.exit_code == 0, first.output
    assert "acme.wordcount.v1: 15 articles, 15 outputs" in first.output
    articles = {row["id"]: row for row in _export(db, "articles")}
    words = _export(db, "stage:acme.wordcount.v1")
    assert {r["item_id"] for r in words} == set(articles)
    for row in words:
        article = articles[row["item_id"]]
        assert row["stage"] == "acme.wordcount.v1"
        assert row["output"] == {"words": len(article["text"].split()), "title": article["title"]}
    sizes = _export(db, "stage:acme.storysize.v1")
    storylines = [s for s in _export(db, "stories") if s["level"] == "storyline"]
    assert {r["item_id"]: r["output"]["articles"] for r in sizes} == {
        s["id"]: len(s["article_ids"]) for s in storylines
    }
    # per-article plug-in stages are incremental: nothing new, nothing done again
    second = runner.invoke(app, ["run", str(EXAMPLES), "--db", db, "--workers", "1"])
    assert "acme.wordcount.v1: 0 articles, 0 outputs" in second.output
    assert len(_export(db, "stage:acme.wordcount.v1")) == len(articles)


def test_plugins_export_of_an_unknown_stage_is_a_usage_error(plugin, tmp_path):
    db = str(tmp_path / "s.db")
    Store(db).close()
    result = runner.invoke(app, ["export", "--what", "stage:acme.nothing.v1", "--db", db])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: [S003]")


def test_plugins_raising_stage_rejects_one_item_and_the_run_goes_on(poisoned, tmp_path):
    db = str(tmp_path / "s.db")
    result = runner.invoke(app, ["run", str(EXAMPLES), "--db", db, "--workers", "1"])
    assert result.exit_code == EXIT_REJECTED, result.output
    with Store(db) as store:
        rows = [r for r in store.rows("rejected") if r["stage"] == "acme.wordcount.v1"]
        victim = [a.id for a in store.articles() if a.title == _VICTIM]
        others = {r["stage"] for r in store.rows("rejected")} - {"acme.wordcount.v1"}
        outputs = list(store.stage_outputs("acme.wordcount.v1"))
        briefings = store.count("briefings")
    assert len(victim) == 1
    assert len(rows) == 1
    (row,) = rows
    assert row["code"] == INTERNAL
    assert row["item_id"] == victim[0]
    assert "acme cannot count this one" in row["reason"]
    assert "Traceback" in row["detail"]
    assert not others  # no built-in stage rejected anything
    assert len(outputs) == 14  # every other article was counted
    assert victim[0] not in {o["item_id"] for o in outputs}
    assert briefings > 0  # the stages after it ran: the run went on


def test_plugins_installed_script_runs_the_plugin_stage(plugin, tmp_path):
    script = Path(sys.executable).with_name("storyline")
    if not script.exists():
        pytest.skip(f"no storyline script beside {sys.executable}: pip install -e .")
    db = str(tmp_path / "s.db")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(plugin), str(REPO)))}
    done = subprocess.run(
        [str(script), "run", str(EXAMPLES), "--db", db, "--workers", "1"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "acme.storysize.v1: 3 storylines, 3 outputs" in done.stdout
    exported = subprocess.run(
        [str(script), "export", "--what", "stage:acme.wordcount.v1", "--db", db],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == 15


def test_plugins_missing_inputs_stop_the_run_before_any_work(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "acme_broken").mkdir(parents=True)
    (site / "acme_broken" / "__init__.py").write_text(
        "from storyline.registry import stage\n"
        "@stage('acme.broken.v1', requires={'clean', 'sentiment', 'topics'}, provides={'x'})\n"
        "def broken(article):\n    return None\n",
        encoding="utf-8",
    )
    info = site / "acme_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[storyline.stages]\nbroken = acme_broken\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_broken", raising=False)
    db = tmp_path / "s.db"
    result = runner.invoke(app, ["run", str(EXAMPLES), "--db", str(db)])
    assert result.exit_code == 1
    message = result.stderr
    assert message.startswith("error: [S001] 2 missing stage input(s)")
    assert "acme.broken.v1 requires 'sentiment'" in message
    assert "acme.broken.v1 requires 'topics'" in message
    assert not db.exists()  # nothing was read or stored
    sys.modules.pop("acme_broken", None)


def test_plugins_an_article_processed_again_keeps_no_output_of_its_earlier_text(tmp_path):
    import storyline  # noqa: PLC0415

    with storyline.open(tmp_path / "s.db") as workspace:
        workspace.ingest([next(iter(sorted(EXAMPLES.glob("*.txt"))))])
        (article,) = workspace.articles()
        store = workspace.store
        store.save_outputs("acme.wordcount.v1", {article.id: {"words": 13}}, done=[article.id])
        assert [r["output"] for r in store.stage_outputs("acme.wordcount.v1")] == [{"words": 13}]
        # its text changed and the stage ran on it again: this time it made nothing
        store.save_outputs("acme.wordcount.v1", {}, done=[article.id])
        assert list(store.stage_outputs("acme.wordcount.v1")) == []


_COUNTING = """
from storyline.registry import stage

CALLS = []


@stage("acme.counted.v1", requires={"stories"}, provides={"acme.counted"}, unit="storyline")
def counted(story):
    CALLS.append(story.id)
    words = sum(len(a.text.split()) for a in story.articles)
    return {"ids": list(story.article_ids), "words": words}
"""


@pytest.fixture
def counting(tmp_path, monkeypatch):
    """Install a storyline plug-in that records each storyline it is given (in the driver)."""
    site = tmp_path / "site"
    (site / "acme_counting").mkdir(parents=True)
    (site / "acme_counting" / "__init__.py").write_text(_COUNTING, encoding="utf-8")
    info = site / "acme_counting-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_counting\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[storyline.stages]\ncounting = acme_counting\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_counting", raising=False)
    yield
    sys.modules.pop("acme_counting", None)


def test_plugins_storyline_stage_redoes_only_the_storylines_new_articles_join(counting, tmp_path):
    import storyline  # noqa: PLC0415
    from storyline.registry import RunContext  # noqa: PLC0415
    from storyline.stage_runner import run_stage  # noqa: PLC0415

    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})
    late = [p for p in files if p.name.startswith("a7_")]  # joins the dam storyline
    with storyline.open(tmp_path / "s.db") as workspace:
        workspace.ingest([p for p in files if p not in late])
        workspace.run(workers=1)
        calls = sys.modules["acme_counting"].CALLS
        store = workspace.store
        first = {s.id: s.article_ids for s in store.stories(level="storyline")}
        assert sorted(calls) == sorted(first)  # every storyline, once
        outputs = {r["item_id"]: r["output"] for r in store.stage_outputs("acme.counted.v1")}
        assert {i: o["ids"] for i, o in outputs.items()} == {i: list(a) for i, a in first.items()}
        calls.clear()
        workspace.run(workers=1)  # nothing new: the run is replayed whole
        spec = Pipeline.load().find("acme.counted.v1")
        # the stage itself, past the replay: every storyline keeps its marked output
        summary = run_stage(spec, RunContext(store, workspace.settings))
        assert calls == []
        assert summary.counts == {"storylines": len(first), "outputs": len(first)}
        workspace.ingest(late)
        workspace.run(workers=1)
        after = {s.id: s.article_ids for s in store.stories(level="storyline")}
        again = {r["item_id"]: r["output"] for r in store.stage_outputs("acme.counted.v1")}
    joined = {sid for sid, ids in after.items() if first.get(sid) != ids}
    assert len(joined) == 1  # the rebuild-fund article joined the dam storyline alone
    (grown,) = joined
    assert len(after[grown]) == len(first[grown]) + 1
    assert calls == sorted(joined)  # only the storyline the new article joined was redone
    assert {i: o["ids"] for i, o in again.items()} == {i: list(a) for i, a in after.items()}
    untouched = set(after) - joined
    assert untouched
    assert {i: again[i] for i in untouched} == {i: outputs[i] for i in untouched}


def test_plugins_storyline_outputs_keep_the_unchanged_and_store_marks_with_them(db_store):
    stage, key = "acme.counted.v1", "story_marks.v1:acme.counted.v1"
    outputs = {"s1": {"n": 1}, "s2": {"n": 2}, "s3": {"n": 3}}
    db_store.save_outputs(stage, outputs, replace=True)
    # s1 stands, s2 is redone, s3 is gone (no longer a storyline, or now makes nothing)
    marks = json.dumps({"s1": ["m1", {"outputs": 1}], "s2": ["m2", {"outputs": 1}]})
    db_store.save_outputs(
        stage, {"s2": {"n": 20}}, replace=True, keep={"s1"}, state=(key, marks.encode())
    )
    found = {r["item_id"]: r["output"] for r in db_store.stage_outputs(stage)}
    assert found == {"s1": {"n": 1}, "s2": {"n": 20}}
    assert json.loads(bytes(db_store.get_state(key))) == json.loads(marks)


_CORPUS_COUNTING = """
from storyline.registry import stage

CALLS = []


@stage("acme.lengths.v1", requires={"clean"}, provides={"acme.lengths"}, unit="corpus")
def lengths(articles):
    CALLS.append(len(articles))
    return {a.id: {"words": len(a.text.split())} for a in articles}
"""


@pytest.fixture
def corpus_counting(tmp_path, monkeypatch):
    """Install a corpus plug-in that records how many articles each call is given."""
    site = tmp_path / "site"
    (site / "acme_corpus").mkdir(parents=True)
    (site / "acme_corpus" / "__init__.py").write_text(_CORPUS_COUNTING, encoding="utf-8")
    info = site / "acme_corpus-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_corpus\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[storyline.stages]\nlengths = acme_corpus\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_corpus", raising=False)
    yield
    sys.modules.pop("acme_corpus", None)


def test_plugins_corpus_stage_is_called_again_only_when_an_article_changed(
    corpus_counting, tmp_path
):
    import storyline  # noqa: PLC0415
    from storyline.registry import RunContext  # noqa: PLC0415
    from storyline.stage_runner import run_stage  # noqa: PLC0415

    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})
    late = [p for p in files if p.name.startswith("a7_")]
    with storyline.open(tmp_path / "s.db") as workspace:
        workspace.ingest([p for p in files if p not in late])
        workspace.run(workers=1)
        calls = sys.modules["acme_corpus"].CALLS
        store = workspace.store
        first = {r["item_id"]: r["output"] for r in store.stage_outputs("acme.lengths.v1")}
        articles = {a.id: a for a in workspace.articles()}
        assert calls == [len(articles)]  # one call with every article
        assert {i: o["words"] for i, o in first.items()} == {
            i: len(a.text.split()) for i, a in articles.items()
        }
        calls.clear()
        # the stage itself, past the run's replay: nothing it reads changed, no call
        spec = Pipeline.load().find("acme.lengths.v1")
        summary = run_stage(spec, RunContext(store, workspace.settings))
        assert calls == []
        assert summary.counts == {"articles": len(articles), "outputs": len(articles)}
        assert {r["item_id"]: r["output"] for r in store.stage_outputs("acme.lengths.v1")} == first
        workspace.ingest(late)
        workspace.run(workers=1)
        again = {r["item_id"]: r["output"] for r in store.stage_outputs("acme.lengths.v1")}
    assert calls == [len(articles) + 1]  # one call, with the new article among them
    (new,) = set(again) - set(first)
    assert {i: again[i] for i in first} == first
    assert again[new]["words"] > 0


def test_plugins_an_edited_corpus_plugin_is_called_again_with_nothing_new(
    corpus_counting, tmp_path
):
    import storyline  # noqa: PLC0415

    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})[:3]
    with storyline.open(tmp_path / "s.db") as workspace:
        workspace.ingest(files)
        workspace.run(workers=1)
        assert sys.modules["acme_corpus"].CALLS == [3]
        # an editable install: the file changes, the distribution's version does not
        source = Path(sys.modules["acme_corpus"].__file__)
        source.write_text(
            _CORPUS_COUNTING.replace("len(a.text.split())", "len(a.text)"), encoding="utf-8"
        )
        sys.modules.pop("acme_corpus")
        workspace.run(workers=1)  # nothing new: the run's mark holds the plug-in's code
        assert sys.modules["acme_corpus"].CALLS == [3]
        found = {
            r["item_id"]: r["output"] for r in workspace.store.stage_outputs("acme.lengths.v1")
        }
        assert found == {a.id: {"words": len(a.text)} for a in workspace.articles()}
        workspace.run(workers=1)
        assert sys.modules["acme_corpus"].CALLS == [3]  # and not again after that
