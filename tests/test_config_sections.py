"""Each tunable section of defaults.toml reaches the code it sets: a changed value changes output.

Sections: [clean.scores], [dedupe], [claims], and the selection keys of [briefing]. Every value
in the packaged defaults is the constant the code used before it was configurable, so a run
with the defaults exports what it did; the runs below change one value per section in a user
file (what ``--config`` and ./storyline.toml load) and look at what the run stored.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

import storyline
from storyline.briefing.select import SelectionParams
from storyline.claims.params import ClaimsParams
from storyline.clean_weights import LineWeights
from storyline.cli.app import app
from storyline.config import load_settings
from storyline.dedupe import NUM_PERM, SHINGLE_SIZE, THRESHOLD, DuplicateIndex
from storyline.export import export_rows

if TYPE_CHECKING:
    from pathlib import Path

BRIDGE = (
    "Engineers closed the harbour bridge in Kellford on Monday after inspectors found cracks in "
    "the steel of its main span.\n\n"
    "The bridge carries about 40,000 vehicles a day between the harbour and the northern suburbs "
    "of the city.\n\n"
    "The city council said repairs would take at least six weeks and cost about 12 million "
    "euros.\n\n"
    "Ferries will run every twenty minutes from the old pier while the bridge stays shut, the "
    "port authority said.\n\n"
    "Mayor Ilse Varn said closing the bridge was the only safe choice after the inspection."
)
# the same report told in other words by a second outlet: its statements align with BRIDGE's
RETOLD = (
    "Kellford's harbour bridge was closed by engineers on Monday when inspectors found cracks in "
    "the steel of the main span.\n\n"
    "About 40,000 vehicles cross the bridge a day between the harbour and the city's northern "
    "suburbs.\n\n"
    "Repairs will last at least six weeks and cost roughly 12 million euros, the council "
    "said.\n\n"
    "Schools on the northern shore will open an hour later until the bridge reopens, officials "
    "said."
)
ROWS = [
    {"id": "one", "title": "Kellford bridge shut after cracks found", "source": "Outlet One",
     "published": "2026-03-02", "text": BRIDGE},
    {"id": "two", "title": "Cracks close Kellford harbour bridge", "source": "Outlet Two",
     "published": "2026-03-02", "text": RETOLD},
    # a near copy of the first (one word changed): a copy by the default [dedupe] threshold
    {"id": "three", "title": "Kellford bridge shut after cracks found", "source": "Outlet Three",
     "published": "2026-03-02", "text": BRIDGE.replace("old pier", "new pier")},
]  # fmt: skip
CHANGED = """
[dedupe]
threshold = 0.99
[claims]
align_threshold = 1.0
[briefing]
paraphrase_cut = 0.0
"""


def _run(folder: Path, config: str | None) -> dict[str, list[dict]]:
    corpus = folder / "bridge.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    path = None
    if config is not None:
        path = folder / "storyline.toml"
        path.write_text(config, encoding="utf-8")
    with storyline.open(folder / "s.db", settings=load_settings(path)) as workspace:
        workspace.ingest([corpus])
        workspace.run(workers=1)
        out = {w: list(export_rows(workspace.store, w)) for w in ("articles", "claims", "stories")}
        storyline_id = next(s["id"] for s in out["stories"] if s["level"] == "storyline")
        out["briefing"] = list(workspace.briefing(storyline_id).sentences)
    return out


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("default"), None)


@pytest.fixture(scope="module")
def changed_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("changed"), CHANGED)


def test_config_sections_packaged_defaults_are_the_constants_they_replace():
    settings = load_settings()
    assert LineWeights.from_values(settings.clean.scores.model_dump()) == LineWeights()
    assert ClaimsParams(**settings.claims.model_dump()) == ClaimsParams()
    assert SelectionParams.from_values(settings.briefing.model_dump()) == SelectionParams()
    index = DuplicateIndex.from_values(settings.dedupe.model_dump())
    assert (index.threshold, index.num_perm, index.shingle_size) == (
        THRESHOLD,
        NUM_PERM,
        SHINGLE_SIZE,
    )


def test_config_sections_clean_scores_reach_the_line_scorer(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(
        "Harbour bridge closes\n\n" + BRIDGE + "\n\nhttps://news.example/kellford/bridge\n",
        encoding="utf-8",
    )
    config = tmp_path / "storyline.toml"
    config.write_text("[clean.scores]\nurl = 0.0\n", encoding="utf-8")
    texts = {}
    for name, path in (("default", None), ("changed", config)):
        with storyline.open(tmp_path / f"{name}.db", settings=load_settings(path)) as workspace:
            workspace.ingest([page])
            (article,) = workspace.articles()
            texts[name] = article.text
            if name == "default":
                assert [(r.reason, r.score) for r in article.removed] == [("url", 1.0)]
    assert "https://news.example" not in texts["default"]
    assert texts["changed"].endswith("https://news.example/kellford/bridge")


def test_config_sections_dedupe_threshold_reaches_the_run(default_run, changed_run):
    copies = {r["id"]: r["duplicate_of"] for r in default_run["articles"] if r["duplicate_of"]}
    assert copies == {"three": "one"}
    assert [r["id"] for r in changed_run["articles"] if r["duplicate_of"]] == []


def test_config_sections_claims_align_threshold_reaches_the_run(default_run, changed_run):
    def told_by_both(run: dict[str, list[dict]]) -> list[str]:
        return [c["text"] for c in run["claims"] if {"one", "two"} <= set(c["article_ids"])]

    assert len(told_by_both(default_run)) >= 2  # the paraphrases of the second outlet align
    assert told_by_both(changed_run) == []  # only word-for-word statements reach 1.0


def test_config_sections_briefing_selection_reaches_the_run(default_run, changed_run):
    assert len(default_run["briefing"]) >= 2
    # at a cut of 0.0 every claim is a paraphrase of the briefing so far (the first one too: its
    # similarity to an empty briefing is 0.0), so none is chosen
    assert changed_run["briefing"] == []


def test_config_sections_config_show_prints_the_sub_tables(tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text(CHANGED + "[clean.scores]\nbyline_edge = 0.65\n", encoding="utf-8")
    shown = CliRunner().invoke(app, ["config", "show", "--config", str(config)]).output
    lines = shown.splitlines()
    for table in ("[clean.scores]", "[dedupe]", "[claims]", "[briefing]", "[briefing.weights]"):
        assert table in lines
    assert "byline_edge = 0.65" in lines
    assert "threshold = 0.99" in lines
    assert "align_threshold = 1.0" in lines
    assert "paraphrase_cut = 0.0" in lines


def test_config_sections_clean_chunk_is_a_run_setting_the_clean_stage_uses(tmp_path):
    from storyline import builtin_stages  # noqa: PLC0415
    from storyline.registry import RunSetup  # noqa: PLC0415

    shown = CliRunner().invoke(app, ["config", "show"]).output.splitlines()
    assert "clean_chunk = 64" in shown[shown.index("[run]") :]
    config = tmp_path / "mine.toml"
    config.write_text("[run]\nclean_chunk = 7\n", encoding="utf-8")
    settings = load_settings(config)
    assert builtin_stages.clean(RunSetup(settings, {})).chunk == 7
