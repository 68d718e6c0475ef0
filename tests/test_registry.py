from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from storyline import builtin_stages
from storyline.cli.app import app
from storyline.errors import ConfigError
from storyline.registry import Pipeline, PipelineError, StageSpec, specs_in, stage
from storyline.summaries import StageSummary, render
from tests.conftest import REPO

SNAPSHOT = REPO / "tests" / "data" / "registry.json"


def _spec(name: str, requires: set[str], provides: set[str]) -> StageSpec:
    @stage(name, requires=requires, provides=provides)
    def body(article: object) -> None:
        return None

    return specs_in(body)[0]


def test_registry_matches_the_checked_in_snapshot():
    # a stage added, renamed or rewired must update tests/data/registry.json on purpose
    assert Pipeline.load().describe() == json.loads(SNAPSHOT.read_text())


def test_registry_builtins_run_in_todays_order():
    labels = [spec.label for spec in Pipeline.resolve(specs_in(builtin_stages)).stages]
    assert labels == [
        "clean",
        "dedupe",
        "dates",
        "nlp",
        "entities",
        "quality",
        "stories",
        "timeline",
        "quote_groups",
        "briefing",
    ]


def test_registry_stories_run_after_the_quality_flags_their_titles_read():
    # a story's title is its most representative trusted headline: the stage needs the flags
    specs = {spec.label: spec for spec in specs_in(builtin_stages)}
    assert "quality" in specs["stories"].requires
    # and the quality stage needs nothing the stories stage provides: no cycle
    assert not specs["quality"].requires & specs["stories"].provides
    reordered = [specs[n] for n in ("clean", "dedupe", "dates", "nlp", "entities", "stories", "quality")]  # fmt: skip
    labels = [spec.label for spec in Pipeline.resolve(reordered).stages]
    assert labels.index("quality") < labels.index("stories")


def test_registry_resolve_moves_a_stage_after_what_it_requires():
    late = _spec("t.late.v1", {"b"}, {"c"})
    first = _spec("t.first.v1", {"articles"}, {"a"})
    middle = _spec("t.middle.v1", {"a"}, {"b"})
    order = [s.name for s in Pipeline.resolve([late, first, middle]).stages]
    assert order == ["t.first.v1", "t.middle.v1", "t.late.v1"]


def test_registry_validate_lists_every_missing_input_in_one_coded_error():
    specs = [
        _spec("t.one.v1", {"articles", "ghost"}, {"a"}),
        _spec("t.two.v1", {"a", "phantom", "spectre"}, {"b"}),
    ]
    with pytest.raises(PipelineError) as caught:
        Pipeline.resolve(specs)
    message = str(caught.value)
    assert isinstance(caught.value, ConfigError)
    assert message.startswith("[S001] 3 missing stage input(s)")
    for part in ("t.one.v1 requires 'ghost'", "phantom", "spectre"):
        assert part in message


def test_registry_validate_catches_a_pipeline_built_out_of_order():
    first = _spec("t.first.v1", {"articles"}, {"a"})
    second = _spec("t.second.v1", {"a"}, {"b"})
    Pipeline((first, second)).validate()
    with pytest.raises(PipelineError, match=r"t\.first\.v1 requires 'a' before it is made"):
        Pipeline((second, _spec("t.first.v1", {"a"}, {"a"}))).validate()


def test_registry_cycle_is_an_error_naming_the_stages():
    specs = [_spec("t.a.v1", {"y"}, {"x"}), _spec("t.b.v1", {"x"}, {"y"})]
    with pytest.raises(PipelineError, match=r"cycle: t\.a\.v1, t\.b\.v1"):
        Pipeline.resolve(specs)


@pytest.mark.parametrize("name", ["wordcount", "acme.wordcount", "acme..v1", "acme.count.one"])
def test_registry_names_are_namespaced_and_versioned(name):
    with pytest.raises(PipelineError, match=r"namespace\.what\.vN"):
        stage(name)


def test_registry_unknown_unit_is_refused():
    with pytest.raises(PipelineError, match="unknown unit 'page'"):
        stage("acme.x.v1", unit="page")  # type: ignore[arg-type]


def test_registry_find_by_name_or_builtin_label():
    pipeline = Pipeline.resolve(specs_in(builtin_stages))
    assert pipeline.find("nlp").name == "storyline.nlp.v1"
    assert pipeline.find("storyline.quote_groups.v1").label == "quote_groups"
    with pytest.raises(PipelineError, match="no stage 'nope'"):
        pipeline.find("nope")


@pytest.mark.parametrize(
    ("templates", "text", "counts", "details"),
    [
        (
            builtin_stages.NLP,
            "14 articles parsed, 247 mentions, 125 quotes",
            {"parsed": 14, "mentions": 247, "quotes": 125},
            {},
        ),
        (
            builtin_stages.DATES,
            "15 articles dated (6 publication dates inferred, 1 unknown), 129 time expressions",
            {"dated": 15, "inferred": 6, "unknown": 1, "timexes": 129},
            {},
        ),
        (
            builtin_stages.BRIEFING,
            "139 claims (19 corroborated), 2 conflicts, 9 briefings",
            {"claims": 139, "corroborated": 19, "conflicts": 2, "briefings": 9},
            {},
        ),
        (
            builtin_stages.BRIEFING,
            "3 claims (1 corroborated), 0 conflicts, 2 briefings (2 reworded by http://h:1/v1)",
            {"claims": 3, "corroborated": 1, "conflicts": 0, "briefings": 2, "reworded": 2},
            {"detail_endpoint": "http://h:1/v1"},
        ),
    ],
)
def test_registry_summary_renders_a_builtin_line_from_counts(templates, text, counts, details):
    summary = StageSummary("x", counts, details)
    assert summary.text is None
    assert render(summary, templates) == text


def test_registry_summary_text_is_printed_as_is():
    summary = StageSummary("nlp", text="parsed everything")
    assert summary.counts == {}
    assert render(summary, builtin_stages.NLP) == "parsed everything"


def test_registry_summary_without_templates_lists_its_counts():
    summary = StageSummary("acme.x.v1", {"articles": 3, "outputs": 2})
    assert render(summary, ()) == "3 articles, 2 outputs"


def test_registry_stages_command_prints_the_resolved_pipeline():
    result = CliRunner().invoke(app, ["stages", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(SNAPSHOT.read_text())
    table = CliRunner().invoke(app, ["stages"])
    assert table.exit_code == 0, table.output
    rows = [line for line in table.output.splitlines() if "storyline." in line]
    assert [r.split()[3] for r in rows][:3] == [
        "storyline.clean.v1",
        "storyline.dedupe.v1",
        "storyline.dates.v1",
    ]
