from __future__ import annotations

import inspect

import storyline
from tests.conftest import EXAMPLES


def test_api_all_is_sorted_and_complete():
    assert storyline.__all__ == sorted(storyline.__all__)
    public = {
        name
        for name in dir(storyline)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(storyline, name))
        and name != "annotations"  # the __future__ feature, not an export
    }
    assert public == set(storyline.__all__)


def test_api_open_ingest_run_articles(tmp_path):
    with storyline.open(tmp_path / "x.db") as workspace:
        summary = workspace.ingest([EXAMPLES])
        assert summary.read >= 12
        assert summary.rejected == ()
        report = workspace.run()
        names = [name for name, _ in report.stages]
        assert names[:3] == ["clean", "dedupe", "dates"]
        articles = workspace.articles()
        assert len(articles) == summary.stored
        assert len({a.source for a in articles if a.source}) >= 4
