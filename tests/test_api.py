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


def test_api_timelines_and_briefings_read_what_the_run_stored(tmp_path):
    with storyline.open(tmp_path / "x.db") as workspace:
        workspace.ingest([EXAMPLES])
        workspace.run(workers=1)
        stored = workspace.timelines()
        assert stored
        assert stored == workspace.timelines(max_dates=10_000)  # rebuilt: the same entries
        sid = next(iter(stored))
        workspace.store.conn.execute(
            "UPDATE timeline SET text = 'stored text' WHERE story_id = ?", (sid,)
        )
        assert {e.text for e in workspace.timelines(sid)[sid]} == {("stored text",)}
        assert ("stored text",) not in {e.text for e in workspace.timelines(sid, max_dates=50)[sid]}
        briefing = workspace.briefing(sid)
        assert briefing.sentences
        assert briefing == workspace.store.stored_briefing(sid)
