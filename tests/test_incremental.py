"""Incremental runs: nothing new means no stage work; new articles cost only what they touch."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

import storyline
from storyline import quote_groups_stage, stages
from storyline.briefing import stage as briefing_stage
from storyline.clean import clean_article
from storyline.dates_stage import date_article
from storyline.export import WHATS, export_rows, write_export
from storyline.models import RawArticle, TimelineEntry
from storyline.store import Store
from storyline.story_marks import forget_marks
from tests.conftest import BACKENDS, EXAMPLES, store_url


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


def _stored(workspace) -> dict[str, str]:
    """Every export, plus the briefings and conflicts no export holds."""
    found = _dump(workspace)
    for table, order in (("briefings", "story_id"), ("conflicts", "id")):
        found[table] = repr(list(workspace.store.rows(table, order=order)))
    return found


def _spy(monkeypatch, module, name: str, story_of) -> list[str]:
    calls: list[str] = []
    real = getattr(module, name)

    def spied(*args, **kwargs):
        calls.append(story_of(args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spied)
    return calls


def _one_more(path, files, *, forget: bool):
    with storyline.open(path) as workspace:
        workspace.ingest(files[:-1])
        workspace.run(workers=1)
        if forget:  # what every storyline stage did before marks: recompute them all
            forget_marks(workspace.store)
        workspace.ingest(files[-1:])
        workspace.run(workers=1)
        return _stored(workspace)


def test_incremental_new_articles_rebuild_only_the_storylines_they_touch(tmp_path, monkeypatch):
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})
    everything = _one_more(tmp_path / "all.db", files, forget=True)
    with storyline.open(tmp_path / "marks.db") as workspace:
        workspace.ingest(files[:-1])
        workspace.run(workers=1)
        before = {s.id: s.article_ids for s in workspace.store.stories()}
        grouped = _spy(monkeypatch, quote_groups_stage, "group_quotes", lambda a, k: a[0])
        timed = _spy(monkeypatch, stages, "build_timeline", lambda a, k: k["story_id"])
        claimed = _spy(monkeypatch, briefing_stage, "find_claims", lambda a, k: k["story_id"])
        workspace.ingest(files[-1:])
        workspace.run(workers=1)
        after = {s.id: s.article_ids for s in workspace.store.stories()}
        levels = {s.id: s.level for s in workspace.store.stories()}
        assert _stored(workspace) == everything  # byte for byte, briefings too
    grown = {sid for sid, ids in after.items() if before.get(sid) != ids}
    storylines = {sid for sid, level in levels.items() if level == "storyline"}
    assert grown & storylines  # the new article joined (or made) a storyline
    assert grown & storylines <= set(grouped) & set(timed)
    assert grown <= set(claimed)
    # a storyline the new article left alone is not recomputed: here, most of them
    assert len(set(timed)) < len(storylines)
    assert len(set(claimed)) < len(after)
    assert len(set(grouped)) == len(grouped)  # each at most once


@pytest.mark.parametrize("backend", BACKENDS)
def test_incremental_a_storyline_that_is_gone_loses_its_rows(tmp_path, backend):
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})
    with store_url(backend, tmp_path) as url, storyline.open(url) as workspace:
        workspace.ingest(files[:-1])
        workspace.run(workers=1)
        store = workspace.store
        marks = json.loads(store.get_state("story_marks.v1:timeline"))
        marks["gone"] = ["a mark", {"entries": 1}]  # as if a storyline had since dissolved
        store.replace_timelines(
            [TimelineEntry("gone", "2020-01-01", ("x",), (), ())],
            keep={s.id for s in store.stories()},
            state=("story_marks.v1:timeline", json.dumps(marks).encode()),
        )
        workspace.ingest(files[-1:])
        workspace.run(workers=1)
        ids = {s.id for s in store.stories(level="storyline")}
        assert {r["story_id"] for r in store.rows("timeline")} <= ids
        kept = json.loads(store.get_state("story_marks.v1:timeline"))
        assert set(kept) == ids  # every storyline's rows stand for its mark
        assert {r["story_id"] for r in store.rows("quote_groups")} <= ids
        assert "gone" not in json.loads(store.get_state("story_marks.v1:timeline"))


_BRIDGE = (
    "The mayor of Lowgate, Ada Lind, said on Tuesday that the river bridge would be rebuilt. "
    '"We will rebuild the river bridge before the winter floods arrive, whatever it costs," '
    "Lind told reporters. Engineers from Karsk inspected the damaged piers and found cracks in "
    "two of them. The council will meet again next week to approve the budget for the works."
)
_ORCHARD = (
    "Farmers in the Ferrow valley planted four thousand young apple trees on Saturday. "
    '"This is the largest orchard we have ever planted in one day," said Tom Berg, head of the '
    "cooperative. The trees were donated by a nursery in Karsk and will bear fruit in three years."
)


def test_incremental_a_copy_whose_original_changed_is_parsed_as_its_own(tmp_path):
    original = {"id": "orig", "title": "Bridge", "text": _BRIDGE, "source": "Ledger", "published": "2031-03-02"}  # fmt: skip
    copy = dict(original, id="copy", source="Courier", published="2031-03-03")
    (tmp_path / "day1.jsonl").write_text(json.dumps(original) + "\n" + json.dumps(copy) + "\n")
    updated = dict(original, title="Orchard", text=_ORCHARD)
    (tmp_path / "day2.jsonl").write_text(json.dumps(updated) + "\n")
    with storyline.open(tmp_path / "copy.db") as workspace:
        workspace.ingest([tmp_path / "day1.jsonl"])
        workspace.run(workers=1)
        store = workspace.store
        assert store.duplicates() == {"copy": "orig"}
        assert {q.article_id for q in store.quotes()} == {"orig"}  # a copy is not parsed
        workspace.ingest([tmp_path / "day2.jsonl"])  # the original now says something else
        second = workspace.run(workers=1)
        assert store.duplicates() == {}
        speakers = {(q.article_id, q.speaker) for q in store.quotes() if q.speaker}
        assert speakers == {("copy", "Ada Lind"), ("orig", "Tom Berg")}
        third = workspace.run(workers=1)
    assert second.counts("nlp")["parsed"] == 2  # the original's new text and the former copy
    assert third.counts("nlp") == {"parsed": 0, "mentions": 0, "quotes": 0}


def _write_rows(folder, rows) -> list:
    folder.mkdir()
    paths = []
    for i, row in enumerate(rows):
        paths.append(folder / f"{i:02d}.jsonl")
        paths[-1].write_text(json.dumps(row) + "\n", encoding="utf-8")
    return paths


def _cleaned(path, batches) -> dict[str, tuple]:
    """Ingest ``batches`` one call each; return each article's clean text, removed lines, timexes."""
    with storyline.open(path) as workspace:
        for batch in batches:
            workspace.ingest(batch)
        return {
            a.id: (a.text, a.removed, date_article(a).timexes) for a in workspace.store.articles()
        }


def test_incremental_cleaning_does_not_depend_on_which_articles_came_in_the_same_batch(tmp_path):
    # Three undated pages of one month open with their dateline: the lines normalise alike
    # ("september"), so a batch holding all three once took them for page furniture and cut
    # each page's only full date; a batch holding two did not. The first two pages must be
    # cleaned (and dated) alike whether the third came with them or in a later run.
    body = (
        "The council voted yesterday to close the old bridge, the mayor said. "
        "Repairs will start next month and last until the spring.\n"
        "Residents said they had waited years for the work."
    )
    rows = [
        {
            "id": f"page-{day}",
            "title": f"Bridge vote {day}",
            "text": f"September {day}, 2012\n{body}",
        }
        for day in (11, 12, 13)
    ]
    paths = _write_rows(tmp_path / "corpus", rows)
    together = _cleaned(tmp_path / "together.db", [paths])
    apart = _cleaned(tmp_path / "apart.db", [paths[:2], paths[2:]])
    assert apart == together
    # the dateline is the article's own text, and anchors its relative dates
    text, removed, timexes = together["page-12"]
    assert text.startswith("September 12, 2012\n")
    assert removed == ()
    assert {t.value for t in timexes} >= {"2012-09-12", "2012-09-11", "2012-10"}


def _example_row(name: str, row_id: str) -> dict[str, str]:
    """Return an example article as an input row: its first line the title, the rest its text."""
    title, _, text = (EXAMPLES / name).read_text(encoding="utf-8").partition("\n")
    return {"id": row_id, "title": title, "text": text.strip()}


def _write_table(path, rows, fmt: str) -> None:
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["id", "title", "text"])
        writer.writeheader()
        writer.writerows(rows)


def _storylines(workspace) -> list[list[str]]:
    stories = workspace.store.stories("storyline")
    return sorted(sorted(s.article_ids) for s in stories)


@pytest.mark.parametrize(
    ("backend", "fmt"), [("sqlite", "jsonl"), ("postgresql", "jsonl"), ("sqlite", "csv")]
)
def test_incremental_a_row_re_ingested_under_its_id_with_new_text_is_clustered_again(
    tmp_path, monkeypatch, backend, fmt
):
    # clustering is online: the row kept the storyline its first text gave (the dam breach),
    # unlike a run from scratch that puts its new text (the strike deal) with the strike
    dam = ["a1_marenholt_courier_dam_breach.txt", "a5_orvel_herald_shelters.txt"]
    strike = ["b1_estmark_tribune_strike_begins.txt"]
    rows = [_example_row(name, name.split("_")[0]) for name in dam + strike]
    day1, day2 = tmp_path / f"day1.{fmt}", tmp_path / f"day2.{fmt}"
    _write_table(day1, [*rows, _example_row("a3_northern_ledger_marrow_visit.txt", "swing")], fmt)
    _write_table(day2, [_example_row("b4_circuit_weekly_deal.txt", "swing")], fmt)
    for side in ("rerun", "scratch"):
        (tmp_path / side).mkdir()
    with store_url(backend, tmp_path / "scratch") as url, storyline.open(url) as scratch:
        scratch.ingest([day1])
        scratch.ingest([day2])
        scratch.run(workers=1)
        expected, expected_lines = _dump(scratch), _storylines(scratch)
    assert ["b1", "swing"] in expected_lines
    with store_url(backend, tmp_path / "rerun") as url, storyline.open(url) as workspace:
        workspace.ingest([day1])
        workspace.run(workers=1)
        assert any({"a1", "swing"} <= set(line) for line in _storylines(workspace))
        assert workspace.ingest([day2]).stored == 1  # updated in place, under its own id
        second = workspace.run(workers=1)
        assert second.counts("stories")["redone"] == 4  # every clustered article, once
        assert _storylines(workspace) == expected_lines
        assert _dump(workspace) == expected

        clustered: list[str] = []
        real = stages.cluster_articles

        def counted(articles, **kwargs):
            clustered.extend(a.id for a in articles)
            return real(articles, **kwargs)

        monkeypatch.setattr(stages, "cluster_articles", counted)
        third = stages.run_clusters(workspace.store, workspace.store.duplicates())
        assert clustered == []  # nothing new, nothing changed: nothing clustered again
        assert "redone" not in third.counts
        assert _dump(workspace) == expected


def test_incremental_stories_are_stored_with_their_cluster_state_or_not_at_all():
    # the clustering state fails to save (a full disk, here a trigger): the stories and the
    # state they come from are one write, so the store keeps neither and never a mismatch
    with Store.memory() as store:
        raws = [
            RawArticle(
                f"a{i}",
                title,
                f"{title}. The harbour board met on Monday.",
                f"a{i}.txt",
                "txt",
                "Tarn Post",
            )
            for i, title in enumerate(("Harbour toll cut", "Harbour toll halved"))
        ]
        store.save_batch([(r, clean_article(r)) for r in raws], [])
        store.conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON stage_state "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        with pytest.raises(sqlite3.IntegrityError, match="disk is full"):
            stages.run_clusters(store, {})
        assert store.count("stories") == 0
        assert store.count("clustered") == 0
        store.conn.execute("DROP TRIGGER full")
        stages.run_clusters(store, {})  # the next run clusters them once
        assert {a for s in store.stories() for a in s.article_ids} == {"a0", "a1"}
