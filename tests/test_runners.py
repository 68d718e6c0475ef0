from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import storyline
from storyline import dates_stage, nlp_work, stages
from storyline.errors import UsageError
from storyline.export import WHATS, export_rows, write_export
from storyline.runners import executor_width, make_executor, map_ordered
from tests.conftest import EXAMPLES, REPO


def _square(x: int) -> int:
    return x * x


def test_runners_map_ordered_keeps_input_order_on_a_pool():
    with make_executor(workers=2) as pool:
        assert pool is not None
        assert executor_width(pool) == 2
        assert list(map_ordered(_square, range(20), pool)) == [x * x for x in range(20)]
        assert list(map_ordered(_square, range(20), pool, window=1)) == [x * x for x in range(20)]
    with make_executor(workers=1) as none:
        assert none is None


def test_runners_map_ordered_reads_its_input_lazily():
    read: list[int] = []

    def items():
        for x in range(100):
            read.append(x)
            yield x

    with make_executor(workers=2) as pool:
        results = map_ordered(_square, items(), pool, window=3)
        assert next(results) == 0
        # a window of 3: the first result is yielded once 3 items are in flight, no more
        assert len(read) == 3
        assert list(results) == [x * x for x in range(1, 100)]


def test_runners_dask_missing_is_a_clear_error(monkeypatch):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(UsageError, match=r"storyline\[dask\]"), make_executor(dask="local"):
        pass


def _dump(workspace) -> dict[str, str]:
    """Every export as the bytes `storyline export --format jsonl` writes."""
    dumps = {}
    for what in WHATS:
        out = io.StringIO()
        write_export(export_rows(workspace.store, what), out, "jsonl")
        dumps[what] = out.getvalue()
    return dumps


def _run(tmp_path, name: str, corpus, **run) -> dict[str, str]:
    with storyline.open(tmp_path / f"{name}.db") as workspace:
        workspace.ingest([corpus])
        workspace.run(**run)
        return _dump(workspace)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    # a copy at a fixed path: the locators in the exports are then the same for every run
    folder = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(EXAMPLES, folder)
    return folder


@pytest.fixture(scope="module")
def sequential(corpus, tmp_path_factory):
    return _run(tmp_path_factory.mktemp("seq"), "seq", corpus, workers=1)


def test_runners_process_pool_gives_the_same_exports_as_sequential(sequential, corpus, tmp_path):
    pooled = _run(tmp_path, "pool", corpus, workers=2)
    for what in WHATS:
        assert pooled[what] == sequential[what], what
    assert '"speaker"' in sequential["quotes"]
    assert '"kind": "corroborated"' in sequential["claims"]


def test_runners_dask_local_cluster_keeps_input_order(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    real = distributed.LocalCluster
    # worker threads instead of processes: the same code path, without a minute of start-up
    monkeypatch.setattr(
        distributed, "LocalCluster", lambda **kwargs: real(**{**kwargs, "processes": False})
    )
    with make_executor(workers=2, dask="local") as cluster:
        assert cluster is not None
        assert executor_width(cluster) == 2
        assert list(map_ordered(_square, range(10), cluster)) == [x * x for x in range(10)]


def test_runners_dask_cluster_gives_the_same_exports_as_sequential(sequential, corpus, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    # workers as threads of this process (the model is loaded once), reached by address as a
    # remote scheduler would be
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        clustered = _run(tmp_path, "dask", corpus, dask=cluster.scheduler_address)
    for what in WHATS:
        assert clustered[what] == sequential[what], what


class _InterruptedError(BaseException):  # an interruption, as Ctrl-C is: not an item error
    pass


def _interrupt_after(monkeypatch, name: str, calls: int) -> None:
    """Make the stage function ``<name>`` (dates_stage, nlp_work) raise once it has run ``calls`` times."""
    module = dates_stage if name == "date_chunk" else nlp_work
    real = getattr(module, name)
    done = []

    def flaky(*args, **kwargs):
        if len(done) >= calls:
            raise _InterruptedError(name)
        done.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, flaky)


@pytest.mark.parametrize(("name", "calls"), [("date_chunk", 1), ("annotate_chunk", 1)])
def test_runners_an_interrupted_run_resumes_to_the_same_exports(
    sequential, corpus, tmp_path, monkeypatch, name, calls
):
    # small chunks, so the interruption falls between two stored chunks
    with storyline.open(tmp_path / "resume.db") as workspace:
        workspace.settings = workspace.settings.model_copy(
            update={
                "nlp": workspace.settings.nlp.model_copy(update={"batch_size": 1}),
                "run": workspace.settings.run.model_copy(update={"date_chunk": 4}),
            }
        )
        workspace.ingest([corpus])
        with monkeypatch.context() as patch:
            _interrupt_after(patch, name, calls)
            with pytest.raises(_InterruptedError):
                workspace.run(workers=1)
        stage = "dates" if name == "date_chunk" else "nlp"
        left = stages.pending_ids(workspace.store, stage)
        total = workspace.store.count("articles")
        assert 0 < len(left) < total  # stopped part way, the first chunk kept
        workspace.run(workers=1)
        assert stages.pending_ids(workspace.store, stage) == []
        resumed = _dump(workspace)
    for what in WHATS:
        assert resumed[what] == sequential[what], what


def _without_stories(dump: str) -> list[dict]:
    rows = [json.loads(line) for line in dump.splitlines()]
    for row in rows:
        row.pop("story_ids")
    return rows


def test_runners_ingest_half_then_all_resumes_to_the_same_records(sequential, corpus, tmp_path):
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    with storyline.open(tmp_path / "half.db") as workspace:
        workspace.ingest(files[: len(files) // 2])
        workspace.run(workers=1)
        first = workspace.store.count("articles")
        # the rerun skips what is stored: only the new half is read into the stages
        workspace.ingest([corpus])
        pending = stages.pending_ids(workspace.store, "dates")
        assert len(pending) == workspace.store.count("articles") - first
        workspace.run(workers=1)
        resumed = _dump(workspace)
    for what in ("entities", "quotes", "timexes", "rejected"):
        assert resumed[what] == sequential[what], what
    # stories grow batch by batch (old articles never move), so only their ids may differ
    assert _without_stories(resumed["articles"]) == _without_stories(sequential["articles"])


_POOL_PARENT = """
import os, sys, time
from storyline.runners import make_executor

with make_executor(workers=2) as pool:
    futures = [pool.submit(time.sleep, 0.2) for _ in range(8)]
    for future in futures:
        future.result()
    print(" ".join(str(p.pid) for p in pool._processes.values()), flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Return whether ``pid`` runs (a zombie nobody reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # noqa: PTH123
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_runners_pool_workers_die_when_their_parent_is_killed_with_9():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", _POOL_PARENT], stdout=subprocess.PIPE, text=True, env=env
    ) as parent:
        try:
            assert parent.stdout is not None
            workers = [int(p) for p in parent.stdout.readline().split()]
            assert len(workers) == 2
            assert all(_alive(pid) for pid in workers)
            os.kill(parent.pid, signal.SIGKILL)
            parent.wait(timeout=30)
            deadline = time.monotonic() + 30
            while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not any(_alive(pid) for pid in workers)  # no orphans left behind
        finally:
            parent.kill()


_DASK_PARENT = """
import os, time
from storyline.runners import make_executor

if __name__ == "__main__":  # LocalCluster spawns its workers: the main module is re-imported
    with make_executor(workers=2, dask="local") as cluster:
        from dask.distributed import get_client
        pids = get_client().run(os.getpid).values()
        print(" ".join(str(p) for p in pids), flush=True)
        time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_runners_dask_local_workers_die_when_their_parent_is_killed_with_9(tmp_path):
    pytest.importorskip("dask.distributed")
    script = tmp_path / "dask_parent.py"
    script.write_text(_DASK_PARENT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as parent:
        try:
            assert parent.stdout is not None
            workers = [int(p) for p in parent.stdout.readline().split()]
            assert len(workers) == 2
            assert parent.pid not in workers  # separate processes, not threads of the driver
            os.kill(parent.pid, signal.SIGKILL)
            parent.wait(timeout=30)
            # Dask's worker processes watch their parent themselves (seen: gone within 3 s)
            deadline = time.monotonic() + 60
            while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not any(_alive(pid) for pid in workers)
        finally:
            parent.kill()


def test_runners_a_worker_whose_parent_is_already_gone_exits_at_once():
    # the race PR_SET_PDEATHSIG cannot cover: the parent died before the worker asked
    code = "from storyline.runners import die_with_parent; die_with_parent(-1); print('alive')"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")
