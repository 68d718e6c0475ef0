"""After an upgrade of the cleaner, stored articles are cleaned again from their raw text.

The "old" cleaner is simulated as ``test_stale``'s old extractors are: ingest and a run with a
cleaner that removes fewer lines while ``stage_runner.article_version`` says "old" for the
clean stage. The next run, with the real cleaner and version, must clean every article again
once and leave the store as a run of the new code from scratch would; the run after it must
do nothing again.
"""

from __future__ import annotations

import json

import pytest

import storyline
from storyline import clean_stage, pipeline, stage_runner
from storyline.stage_runner import CLEAN_STAGE
from tests.conftest import BACKENDS, store_url
from tests.test_stale import _FILES, _dump, _from_scratch


def _old_cleaner(monkeypatch) -> None:
    """Clean as an older cleaner did: only lines scoring over 1 are removed, i.e. none."""
    real = pipeline.clean_article

    def keeps_more(raw, **options):
        return real(raw, **{**options, "threshold": 1.01, "guard": None})

    real_version = stage_runner.article_version

    def version(spec, work, settings):
        return "old" if spec.name == CLEAN_STAGE else real_version(spec, work, settings)

    monkeypatch.setattr(pipeline, "clean_article", keeps_more)
    monkeypatch.setattr(clean_stage, "clean_article", keeps_more)
    monkeypatch.setattr(stage_runner, "article_version", version)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stale_clean_an_upgraded_cleaner_cleans_again_once(tmp_path, monkeypatch, backend):
    expected, texts = _from_scratch(backend, tmp_path / "fresh")
    (tmp_path / "old").mkdir()
    with store_url(backend, tmp_path / "old") as url, storyline.open(url) as workspace:
        with monkeypatch.context() as old:
            _old_cleaner(old)
            workspace.ingest(_FILES)
            first = workspace.run(workers=1)
        assert "redone" not in first.counts("clean")  # ingest stamped the old version
        assert workspace.store.count("removed_lines") == 0
        changed = {a.id for a in workspace.articles() if a.text != texts[a.id]}
        assert changed
        assert len(changed) < len(texts)  # some articles clean the same under both
        articles = workspace.store.count("articles")

        upgraded = workspace.run(workers=1)
        clean = upgraded.counts("clean")
        assert clean["redone"] == articles
        assert clean["changed"] == len(changed)
        line = next(x for x in upgraded.lines() if x.startswith("clean: "))
        assert f"{articles} articles cleaned again: the cleaner changed" in line
        # the later per-article stages redo the changed articles only (their inputs changed)
        assert upgraded.counts("dates")["redone"] == len(changed)
        assert upgraded.counts("dates")["dated"] == len(changed)
        assert {a.id: a.text for a in workspace.articles()} == texts
        assert _dump(workspace) == expected

        again = workspace.run(workers=1)
        for stage in ("clean", "dates", "nlp", "quality"):
            assert "redone" not in again.counts(stage), stage
        assert again.counts("nlp")["parsed"] == again.counts("dates")["dated"] == 0
        assert _dump(workspace) == expected


def _rows(folder):
    """Two articles with their own ids; the first ends with sign-up lines (boilerplate)."""
    body = (
        "Floodwater broke through the Kestrin dam on Tuesday night, forcing hundreds of "
        "families in Lowgate to leave their homes before dawn.\n"
        '"We heard a roar and then the water was in the street," said Mara Holt, a baker '
        "whose shop stands near the river."
    )
    # enough sign-up lines that, kept, the two are no near copies either
    footer = (
        "\nSubscribe to our newsletter for the latest news delivered to your inbox."
        "\nFollow us on Twitter and Facebook for live updates from the valley."
        "\nSign up for breaking news alerts on your phone."
        "\nClick here to read more stories like this one from our reporters."
        "\nShare this article with your friends and family."
    )
    rows = [
        {"id": "with-footer", "title": "Kestrin dam breach floods Lowgate", "text": body + footer},
        {"id": "plain", "title": "Kestrin dam breach floods Lowgate", "text": body},
        {"id": "other", "title": "Harbour reopens", "text": "The harbour reopened on Monday."},
    ]
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_stale_clean_an_article_cleaned_into_a_copy_is_found_as_one(tmp_path, monkeypatch):
    """Ids come from the input (or the raw text), never from the clean text: both articles
    stay, and dedupe finds the one whose new clean text equals the other's as its copy, as
    a run of the new cleaner from scratch does."""
    path = _rows(tmp_path)
    with storyline.open(tmp_path / "fresh.db") as fresh:
        fresh.ingest([path])
        fresh.run(workers=1)
        expected = _dump(fresh)
        copies = fresh.store.duplicates()
    assert set(copies.items()) <= {("with-footer", "plain"), ("plain", "with-footer")}
    assert copies
    with storyline.open(tmp_path / "old.db") as workspace:
        with monkeypatch.context() as old:
            _old_cleaner(old)
            workspace.ingest([path])
            workspace.run(workers=1)
        hashes = workspace.store.content_hashes()
        assert hashes["with-footer"] != hashes["plain"]  # the old cleaner kept the footer
        assert not workspace.store.duplicates()
        upgraded = workspace.run(workers=1)
        assert upgraded.counts("clean")["changed"] == 1
        hashes = workspace.store.content_hashes()
        assert hashes["with-footer"] == hashes["plain"]
        assert workspace.store.duplicates() == copies
        assert _dump(workspace) == expected


def test_stale_clean_a_reader_column_named_as_a_cleaner_key_is_the_readers():
    """A JSONL/CSV column ``source_from`` or ``clean_kept`` is no key of the cleaner's.

    Taken for the cleaner's, a re-clean dropped the columns and the outlet the reader gave
    (found again from the text: another), and counted an unchanged article as changed.
    """
    from storyline.clean import clean_article  # noqa: PLC0415
    from storyline.config import load_settings  # noqa: PLC0415
    from storyline.models import RawArticle  # noqa: PLC0415

    text = "The dam broke at dawn and the valley flooded.\nMara Lind, The Kessel Ledger"
    columns = {"source_from": "wire desk", "clean_kept": "yes", "desk": "north"}
    raw = RawArticle(
        "x", "Dam breaks", text, "x.jsonl:1", "jsonl", source="Tarn Post", meta=columns
    )
    stored = clean_article(raw)
    assert stored.source == "Tarn Post"

    again = clean_stage.raw_of(stored, text)
    assert (again.source, again.meta) == ("Tarn Post", columns)
    cleaner = clean_stage.Cleaner.from_settings(load_settings())
    fresh, changed = clean_stage.recleaned(stored, text, cleaner)
    assert not changed
    assert (fresh.source, fresh.meta) == (stored.source, stored.meta)
