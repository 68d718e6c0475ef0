"""A store written by the previous schema (14, pickled cluster state) opens, reads and reclusters.

tests/data/store/v14_examples.db.gz: examples/corpus run by storyline at b7f313b (schema 14,
the cluster state a pickle), the database copied with SQLite's backup API and gzipped.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from storyline.cluster.state import ClusterState
from storyline.export import export_rows
from storyline.stages import _CLUSTER_STATE, run_clusters
from storyline.store import Store
from storyline.store.migrations import MIGRATIONS
from storyline.store.read import Reader

OLD_STORE = Path(__file__).parent / "data" / "store" / "v14_examples.db.gz"


def _old_store(folder: Path) -> Path:
    path = folder / "old.db"
    with gzip.open(OLD_STORE, "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def test_store_migration_opens_a_schema_14_store_and_reads_it(tmp_path):
    with Store(_old_store(tmp_path)) as store:
        assert store.schema_version() == len(MIGRATIONS)
        reader = Reader(store.conn)
        stories = reader.stories()
        assert len(stories) == store.count("stories") > 0
        storyline = next(s for s in stories if s["level"] == "storyline")
        assert storyline["title"]
        assert reader.article_briefs(storyline["article_ids"])
        assert reader.entity_page(offset=0, limit=5)[0] == store.count("entities")
        assert all(e["story_id"] == storyline["id"] for e in reader.timeline(storyline))
        assert store.get_state(_CLUSTER_STATE).startswith(b"\x80")  # still the old pickle


def test_store_migration_reclusters_from_the_old_pickle_and_stores_json(tmp_path):
    with Store(_old_store(tmp_path)) as store:
        before = {w: list(export_rows(store, w)) for w in ("stories", "articles")}
        duplicates = {
            r["id"]: r["duplicate_of"] for r in store.rows("articles") if r["duplicate_of"]
        }
        assert store.count("clustered") == 0  # the hashes clustered with: not stored then
        summary = run_clusters(store, duplicates)  # nothing new: the state gives every story
        assert "redone" not in summary.counts  # taken as clustered with the texts stored now
        saved = store.get_state(_CLUSTER_STATE)
        assert saved.startswith(b'{"format":1')
        assert {w: list(export_rows(store, w)) for w in before} == before
        from storyline.cluster.state_json import load_state  # noqa: PLC0415

        state = load_state(saved)
        assert isinstance(state, ClusterState)
        assert len(state.seq) == store.count("articles") > state.n_docs > 0  # a copy: no df
        assert store.count("clustered") == len(state.seq)
