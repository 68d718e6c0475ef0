"""One run per store: a second ingest, run or watch cycle waits briefly, then fails with S004;
readers go on; a holder killed with -9 leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import storyline
from storyline.config import load_settings
from storyline.errors import StoreBusyError
from storyline.export import export_rows
from storyline.store import Store
from storyline.store.lock import advisory_key, lock_path, run_lock
from tests.conftest import EXAMPLES, REPO, postgres_schema

_FILE = EXAMPLES / "b1_estmark_tribune_strike_begins.txt"


def _open(db, wait: float = 0.0):
    return storyline.open(db, settings=load_settings(overrides={"run": {"lock_wait": wait}}))


def test_lock_a_second_run_on_a_busy_store_fails_with_s004_and_stores_nothing(tmp_path):
    db = tmp_path / "s.db"
    with _open(db) as first, _open(db) as second:
        with first.locked():
            with pytest.raises(StoreBusyError) as ingest:
                second.ingest([_FILE])
            assert ingest.value.code == "S004"
            assert str(os.getpid()) in str(ingest.value)  # names the process holding it
            with pytest.raises(StoreBusyError):
                second.run(workers=1)
            assert second.store.count("articles") == 0
        # released: the second one goes ahead
        assert second.ingest([_FILE]).stored == 1


def test_lock_is_held_once_through_ingest_and_run_in_one_workspace(tmp_path):
    db = tmp_path / "s.db"
    with _open(db) as workspace, workspace.locked():
        workspace.ingest([_FILE])
        report = workspace.run(workers=1)
        assert report.stages
        with _open(db) as other, pytest.raises(StoreBusyError):
            other.run(workers=1)  # still held: the outer block has not ended


def test_lock_a_second_run_waits_for_the_first_to_end(tmp_path):
    db = tmp_path / "s.db"
    with _open(db) as first, _open(db, wait=30.0) as second:
        holding = first.locked()
        holding.__enter__()
        release = threading.Timer(0.3, holding.__exit__, args=(None, None, None))
        release.start()
        try:
            assert second.ingest([_FILE]).stored == 1  # waited, then ran
        finally:
            release.join()


def test_lock_readers_go_on_while_a_run_holds_the_store(tmp_path):
    db = tmp_path / "s.db"
    with _open(db) as writer:
        writer.ingest([_FILE])
        with writer.locked(), Store(db) as reader:
            assert reader.count("articles") == 1
            assert len(list(export_rows(reader, "articles"))) == 1


def test_lock_a_watch_cycle_meeting_a_run_is_skipped_as_busy(tmp_path):
    db = tmp_path / "s.db"
    with _open(db) as first, _open(db) as watcher, first.locked(), pytest.raises(StoreBusyError):
        watcher.watch(once=True)


_HOLDER = """
import sys, time
from storyline.store import Store
from storyline.store.lock import run_lock
with Store(sys.argv[1]) as store, run_lock(store):
    print("held", flush=True)
    time.sleep(600)
"""


def test_lock_a_holder_killed_with_9_leaves_no_stale_lock(tmp_path):
    db = str(tmp_path / "s.db")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, db], stdout=subprocess.PIPE, text=True, env=env
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            with Store(db) as store:
                with pytest.raises(StoreBusyError), run_lock(store):
                    pass
                os.kill(holder.pid, signal.SIGKILL)
                holder.wait(timeout=30)
                with run_lock(store):  # the kernel dropped the dead holder's lock
                    assert Path(lock_path(db)).exists()
        finally:
            holder.kill()


def test_lock_postgres_advisory_lock_admits_one_run():
    with postgres_schema() as url, Store(url) as first, Store(url) as second:
        with run_lock(first):
            with pytest.raises(StoreBusyError) as busy, run_lock(second):
                pass
            assert busy.value.code == "S004"
        with run_lock(second):
            pass


def test_lock_postgres_two_schemas_of_one_database_run_at_once():
    # advisory locks are per database: one fixed key made a run in one schema refuse (S004)
    # a run in another schema of the same database, though they share no table
    with (
        postgres_schema() as url_a,
        postgres_schema() as url_b,
        _open(url_a) as first,
        _open(url_b) as other,
        Store(url_a) as again,
    ):
        with first.locked():
            assert other.ingest([_FILE]).stored == 1  # the other schema goes on
            with pytest.raises(StoreBusyError) as busy, run_lock(again):
                pass  # the same schema is still one run at a time
            assert busy.value.code == "S004"
            assert first.store.count("articles") == 0
        assert first.ingest([_FILE]).stored == 1  # released


def test_lock_postgres_key_is_the_database_and_schema():
    keys = {advisory_key(db, schema) for db in ("news", "archive") for schema in ("a", "b")}
    assert len(keys) == 4
    assert all(-(2**63) <= key < 2**63 for key in keys)  # a PostgreSQL bigint
    assert advisory_key("news", "a") == advisory_key("news", "a")


def test_lock_a_web_upload_meeting_a_run_is_refused_with_409_and_stores_nothing(
    tmp_path, monkeypatch
):
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from storyline.web.app import create_app  # noqa: PLC0415

    monkeypatch.chdir(tmp_path)  # the server reads ./storyline.toml, as `serve` does
    (tmp_path / "storyline.toml").write_text("[run]\nlock_wait = 0.2\n")
    db = tmp_path / "s.db"
    row = b'{"id": "u1", "title": "Upload", "text": "The harbour reopened on Monday."}\n'
    with Store(str(db)) as store, _open(db) as run:
        client = TestClient(create_app(store, allow_ingest=True))
        with run.locked():
            busy = client.post("/api/ingest", content=row)
            assert busy.status_code == 409
            assert "S004" in busy.text
            assert store.count("articles") == 0
        # the run has ended: the same upload goes in
        done = client.post("/api/ingest", content=row)
        assert done.status_code == 200
        assert done.json()["stored"] == 1
