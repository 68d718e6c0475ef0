from __future__ import annotations

import builtins

import pytest

import storyline
from storyline.errors import UsageError
from storyline.export import export_rows
from storyline.runners import make_executor, map_ordered
from tests.conftest import EXAMPLES

WHATS = ("articles", "entities", "quotes", "timexes", "timeline", "stories", "claims")


def _square(x: int) -> int:
    return x * x


def test_runners_map_ordered_keeps_input_order_on_a_pool():
    with make_executor(workers=2) as pool:
        assert pool is not None
        assert list(map_ordered(_square, range(20), pool)) == [x * x for x in range(20)]
    with make_executor(workers=1) as none:
        assert none is None


def test_runners_dask_missing_is_a_clear_error(monkeypatch):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(UsageError, match=r"storyline\[dask\]"), make_executor(dask="local"):
        pass


def _exports(tmp_path, workers: int) -> dict[str, list[dict]]:
    with storyline.open(tmp_path / f"w{workers}.db") as workspace:
        workspace.ingest([EXAMPLES])
        workspace.run(workers=workers)
        return {what: list(export_rows(workspace.store, what)) for what in WHATS}


def test_runners_process_pool_gives_the_same_exports_as_sequential(tmp_path):
    sequential = _exports(tmp_path, 1)
    pooled = _exports(tmp_path, 2)
    for what in WHATS:
        assert pooled[what] == sequential[what], what
    assert sequential["quotes"]
    assert sequential["claims"]
