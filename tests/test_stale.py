"""After an upgrade, articles extracted by an older version of a stage are extracted again.

The "old" code is simulated by running once with an extractor that loses every quote while
``stage_runner.article_version`` (the version every stored row is stamped with) says "old";
the next run, with the real code and version, must leave the store as a run of the new code
from scratch would, and the run after it must do nothing.
"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

import storyline
from storyline import dates_stage, nlp_work, stage_runner
from storyline.errors import INTERNAL
from tests.conftest import BACKENDS, EXAMPLES, REPO, store_url
from tests.test_incremental import _dump as _exports

if TYPE_CHECKING:
    from pathlib import Path

_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})


def _dump(workspace) -> dict[str, str]:
    found = _exports(workspace)
    found["quote_groups_rows"] = repr(list(workspace.store.rows("quote_groups", order="id")))
    return found


def _from_scratch(backend: str, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return the exports and the article texts of the examples run from scratch in ``folder``.

    What an upgraded store must end up as (the reference side of the upgrade tests).
    """
    folder.mkdir()
    with store_url(backend, folder) as url, storyline.open(url) as fresh:
        fresh.ingest(_FILES)
        fresh.run(workers=1)
        return _dump(fresh), {a.id: a.text for a in fresh.articles()}


def _timexless(real):
    """An "old" dater: the same dates and events, no time expressions stored."""

    def date(article, window=None):
        return dataclasses.replace(real(article, window), timexes=())

    return date


def _quoteless(real):
    """An "old" parser: the same mentions, no quotes."""

    def parse(chunk):
        return [dataclasses.replace(a, quotes=()) for a in real(chunk)]

    return parse


@pytest.mark.parametrize("backend", BACKENDS)
def test_stale_an_old_extraction_is_redone_once_and_the_storylines_follow(
    tmp_path, monkeypatch, backend
):
    expected, _ = _from_scratch(backend, tmp_path / "fresh")
    (tmp_path / "old").mkdir()
    with store_url(backend, tmp_path / "old") as url, storyline.open(url) as workspace:
        workspace.ingest(_FILES)
        with monkeypatch.context() as old:
            old.setattr(nlp_work, "annotate_chunk", _quoteless(nlp_work.annotate_chunk))
            old.setattr(dates_stage, "date_article", _timexless(dates_stage.date_article))
            old.setattr(stage_runner, "article_version", lambda *_a: "old")
            first = workspace.run(workers=1)
        assert first.counts("nlp")["quotes"] == first.counts("dates")["timexes"] == 0
        assert workspace.store.count("quote_groups") == 0
        articles = workspace.store.count("articles")
        copies = len(workspace.store.duplicates())

        upgraded = workspace.run(workers=1)
        assert upgraded.counts("dates")["redone"] == articles
        assert upgraded.counts("nlp")["redone"] == articles - copies  # copies are not parsed
        assert upgraded.counts("nlp")["quotes"] > 0
        assert upgraded.counts("dates")["timexes"] > 0
        assert workspace.store.timexes(a.id for a in workspace.articles())
        line = next(x for x in upgraded.lines() if x.startswith("nlp: "))
        assert f"{articles - copies} again: the extractor changed" in line
        # the new quotes reached the storylines through their marks: as from scratch
        assert workspace.store.count("quote_groups") > 0
        assert _dump(workspace) == expected

        again = workspace.run(workers=1)
        for stage in ("dates", "nlp", "quality"):
            assert "redone" not in again.counts(stage), stage
        assert again.counts("nlp")["parsed"] == again.counts("dates")["dated"] == 0
        assert _dump(workspace) == expected


def test_stale_a_changed_setting_of_the_parse_reparses(tmp_path, monkeypatch):
    with storyline.open(tmp_path / "model.db") as workspace:
        workspace.ingest(_FILES[:3])
        workspace.run(workers=1)
        nlp = workspace.settings.nlp.model_copy(update={"piece_chars": 50_000})
        workspace.settings = workspace.settings.model_copy(update={"nlp": nlp})
        changed = workspace.run(workers=1)
        assert changed.counts("nlp")["redone"] == 3
        assert "redone" not in changed.counts("dates")  # dates reads no nlp setting
        assert "redone" not in workspace.run(workers=1).counts("nlp")


def test_stale_a_model_upgraded_under_the_same_name_reparses(tmp_path, monkeypatch):
    with storyline.open(tmp_path / "upgrade.db") as workspace:
        workspace.ingest(_FILES[:2])
        workspace.run(workers=1)
        model = workspace.settings.nlp.model
        real = stage_runner._owner_version
        monkeypatch.setattr(  # pip installed a newer build of the same model package
            stage_runner,
            "_owner_version",
            lambda name: f"{name}==9.9.9" if name == model else real(name),
        )
        upgraded = workspace.run(workers=1)
        assert upgraded.counts("nlp")["redone"] == 2
        assert "redone" not in upgraded.counts("dates")  # dates names no model
        assert "redone" not in workspace.run(workers=1).counts("nlp")


def test_stale_an_article_the_new_code_fails_on_keeps_no_old_rows(tmp_path, monkeypatch):
    victim = _FILES[0]
    with storyline.open(tmp_path / "fail.db") as workspace:
        workspace.ingest(_FILES[:3])
        with monkeypatch.context() as old:
            old.setattr(stage_runner, "article_version", lambda *_a: "old")
            workspace.run(workers=1)
        store = workspace.store
        [aid] = [a.id for a in workspace.articles() if a.locator.endswith(victim.name)]
        assert store.timexes([aid])
        real = nlp_work.annotate_chunk

        def breaks(chunk):
            if any(a.id == aid for a in chunk.articles):
                raise RuntimeError("the new parser cannot read this one")
            return real(chunk)

        monkeypatch.setattr(nlp_work, "annotate_chunk", breaks)
        real_date = dates_stage.date_article

        def dates_break(article, window=None):
            if article.id == aid:
                raise RuntimeError("the new dater cannot read this one")
            return real_date(article, window)

        monkeypatch.setattr(dates_stage, "date_article", dates_break)
        result = workspace.run(workers=1)
        assert result.counts("dates")["redone"] == 3
        rejected = [r for r in store.rows("rejected") if r["item_id"] == aid]
        assert {(r["stage"], r["code"]) for r in rejected} == {
            ("dates", INTERNAL),
            ("nlp", INTERNAL),
        }
        # as a run of the new code from scratch stores it: no rows of the old code kept
        assert store.timexes([aid]) == []
        assert not [q for q in store.quotes() if q.article_id == aid]
        others = [a.id for a in workspace.articles() if a.id != aid]
        assert store.timexes(others)
        # stamped with the new version: not given to the stage again until it changes
        assert "redone" not in workspace.run(workers=1).counts("dates")


_PLUGIN = """
from storyline.registry import stage


@stage("acme.length.v1", requires={"clean"}, provides={"acme.length"}, unit="article")
def length(article):
    return {"size": SIZE(article.text)}
"""


def _install(site: Path, size: str, version: str) -> None:
    package = site / "acme_length"
    package.mkdir(parents=True, exist_ok=True)
    source = f"SIZE = {size}\n" + textwrap.dedent(_PLUGIN)
    (package / "__init__.py").write_text(source, encoding="utf-8")
    for old in site.glob("acme_length-*.dist-info"):
        shutil.rmtree(old)
    info = site / f"acme_length-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: acme_length\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[storyline.stages]\nacme_length = acme_length\n", encoding="utf-8"
    )


def _sizes(store) -> dict[str, int]:
    return {r["item_id"]: r["output"]["size"] for r in store.stage_outputs("acme.length.v1")}


def test_stale_an_upgraded_plugin_stage_redoes_its_articles(tmp_path, monkeypatch):
    site = tmp_path / "site"
    _install(site, "len", "0.1")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_length", raising=False)
    try:
        with storyline.open(tmp_path / "plugin.db") as workspace:
            workspace.ingest(_FILES[:3])
            workspace.run(workers=1)
            texts = {a.id: a.text for a in workspace.articles()}
            assert _sizes(workspace.store) == {i: len(t) for i, t in texts.items()}
            _install(site, "lambda text: len(text.split())", "0.2")  # the upgrade
            sys.modules.pop("acme_length", None)
            upgraded = workspace.run(workers=1)
            assert upgraded.counts("acme.length.v1")["redone"] == 3
            assert _sizes(workspace.store) == {i: len(t.split()) for i, t in texts.items()}
            again = workspace.run(workers=1)
            assert again.counts("acme.length.v1") == {"articles": 0, "outputs": 0}
    finally:
        sys.modules.pop("acme_length", None)


OLD_STORE = REPO / "tests" / "data" / "store" / "v14_examples.db.gz"


def test_stale_a_store_written_before_versions_redoes_its_articles_once(tmp_path):
    path = tmp_path / "old.db"
    with gzip.open(OLD_STORE, "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    with storyline.open(path) as workspace:
        articles = workspace.store.count("articles")
        first = workspace.run(workers=1)
        # no version stored: unknown, so each article is done once by this code
        assert first.counts("dates")["redone"] == articles
        assert first.counts("nlp")["redone"] > 0
        second = workspace.run(workers=1)
        assert "redone" not in second.counts("dates")
        assert "redone" not in second.counts("nlp")
        assert second.counts("nlp")["parsed"] == 0


def test_stale_a_stage_version_digests_the_code_its_work_runs_and_no_more():
    from storyline.code_version import code_closure  # noqa: PLC0415

    dates = code_closure(("storyline.dates_stage",))
    assert {"storyline.extract.timex.find", "storyline.extract.events", "storyline"} <= set(dates)
    # an import under TYPE_CHECKING never runs; the web and the storyline stages are elsewhere
    assert not {"storyline.store", "storyline.web", "storyline.timeline"} & set(dates)
    from storyline.pipeline import Pipeline  # noqa: PLC0415

    assert Pipeline.load().find("storyline.nlp.v1").code == ("storyline.nlp_work",)
    nlp = code_closure(("storyline.nlp_work",))
    assert "storyline.extract.quotes.find" in nlp
    # the other stages' code and the modules that only move data are no part of the parse
    assert not {
        "storyline.timeline",
        "storyline.stages",
        "storyline.config",
        "storyline.article_runner",
        "storyline.runners",
        "storyline.summaries",
    } & set(nlp)
    assert not [m for m in nlp if m.startswith("storyline.cluster")]
    assert "storyline.config" not in dates
    assert "storyline.extract.quotes.find" not in dates


def test_stale_a_version_change_alone_is_no_replay(tmp_path, monkeypatch):
    """The run's mark holds every per-article stage's version: a new one is no replay."""
    from storyline import pipeline  # noqa: PLC0415
    from storyline.pipeline import Pipeline  # noqa: PLC0415

    replayed: list[str] = []
    real_replay = pipeline.replay_stage

    def replay(spec, ctx, saved):
        replayed.append(spec.name)
        return real_replay(spec, ctx, saved)

    monkeypatch.setattr(pipeline, "replay_stage", replay)
    with storyline.open(tmp_path / "mark.db") as workspace:
        workspace.ingest(_FILES[:3])
        workspace.run(workers=1)
        stages = Pipeline.load().stages
        mark = stage_runner.inputs_mark(workspace.store, workspace.settings, stages)
        assert stage_runner.last_run(workspace.store)["mark"] == mark
        real = stage_runner.article_version

        def newer(spec, work, settings):
            version = real(spec, work, settings)
            return version + "-next" if spec.name == "storyline.dates.v1" else version

        monkeypatch.setattr(stage_runner, "article_version", newer)
        # nothing else changed (articles, settings, code): the version alone moves the mark
        assert stage_runner.inputs_mark(workspace.store, workspace.settings, stages) != mark
        result = workspace.run(workers=1)
        assert not replayed  # every stage ran: the stages after dates read what it redid
        assert result.counts("dates")["redone"] == 3
        workspace.run(workers=1)
        assert "storyline.stories.v1" in replayed  # the next run is a replay again


_HELPED = """
from storyline.registry import stage

from .measure import size


@stage("acme.helped.v1", requires={"clean"}, provides={"acme.helped"}, unit="article")
def helped(article):
    return {"size": size(article.text)}
"""


def _install_helped(site: Path, words: str) -> None:
    """A plug-in whose logic sits in helpers: __init__ -> measure -> units (relative imports)."""
    package = site / "acme_helped"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(textwrap.dedent(_HELPED), encoding="utf-8")
    (package / "measure.py").write_text(
        "def size(text):\n    from .units import count  # lazy: it counts too\n\n"
        "    return count(text)\n",
        encoding="utf-8",
    )
    (package / "units.py").write_text(f"def count(text):\n    return {words}\n", "utf-8")
    (package / "unused.py").write_text("RATE = 1\n", encoding="utf-8")
    info = site / "acme_helped-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme_helped\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[storyline.stages]\nacme_helped = acme_helped\n", encoding="utf-8"
    )


def test_stale_a_plugin_helper_edited_in_place_redoes_its_articles(tmp_path, monkeypatch):
    """An editable install: same version, one helper module edited, its articles redone."""
    site = tmp_path / "site"
    _install_helped(site, "len(text)")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # an edit within a second is read
    monkeypatch.syspath_prepend(str(site))

    def forget() -> None:
        for name in [m for m in sys.modules if m.split(".")[0] == "acme_helped"]:
            del sys.modules[name]

    forget()
    try:
        with storyline.open(tmp_path / "helped.db") as workspace:
            workspace.ingest(_FILES[:3])
            workspace.run(workers=1)
            texts = {a.id: a.text for a in workspace.articles()}
            outputs = workspace.store.stage_outputs("acme.helped.v1")
            assert {r["item_id"]: r["output"]["size"] for r in outputs} == {
                i: len(t) for i, t in texts.items()
            }
            (site / "acme_helped" / "unused.py").write_text("RATE = 2\n", encoding="utf-8")
            forget()
            untouched = workspace.run(workers=1)  # a module the stage does not import
            assert untouched.counts("acme.helped.v1") == {"articles": 0, "outputs": 0}
            _install_helped(site, "len(text.split())")  # the helper's helper, edited
            forget()
            edited = workspace.run(workers=1)
            assert edited.counts("acme.helped.v1")["redone"] == 3
            outputs = workspace.store.stage_outputs("acme.helped.v1")
            assert {r["item_id"]: r["output"]["size"] for r in outputs} == {
                i: len(t.split()) for i, t in texts.items()
            }
            again = workspace.run(workers=1)
            assert again.counts("acme.helped.v1") == {"articles": 0, "outputs": 0}
    finally:
        forget()


@pytest.mark.parametrize("unit", ["corpus", "storyline"])
def test_stale_an_upgraded_library_of_a_corpus_or_storyline_plugin_is_no_replay(
    tmp_path, monkeypatch, unit
):
    """The mark holds the installed version of a plug-in's ``libraries``, whatever its unit."""
    from storyline.config import load_settings  # noqa: PLC0415
    from storyline.registry import StageSpec  # noqa: PLC0415
    from storyline.store import Store  # noqa: PLC0415

    def lengths(items):
        return {}

    spec = StageSpec("acme.lengths.v1", lengths, unit=unit, libraries=("numpy",))
    settings = load_settings()
    with Store(str(tmp_path / "mark.db")) as store:
        mark = stage_runner.inputs_mark(store, settings, [spec])
        real = stage_runner._installed

        def upgraded(name):  # pip installed a newer numpy: its output may differ
            return "99.0" if name == "numpy" else real(name)

        monkeypatch.setattr(stage_runner, "_installed", upgraded)
        assert stage_runner.inputs_mark(store, settings, [spec]) != mark
        assert "99.0" in stage_runner.stage_versions([spec], settings)["acme.lengths.v1"]
