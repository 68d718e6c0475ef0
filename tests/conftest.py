from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples" / "corpus"


def shared_path(*parts: str) -> Path:
    """Return a path under ../shared; skip when it is missing, except in CI where that fails."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def store():
    with Store.memory() as db:
        yield db


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


def seed_rows() -> list[tuple[str, str, str, str]]:
    """Return the seeds as (id, headline, body, published), body as the file gives it."""
    folder = shared_path("seeds")
    rows = []
    for line in (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        meta = json.loads(line)
        title, _, body = (folder / meta["file"]).read_text(encoding="utf-8").partition("\n")
        rows.append((meta["id"], title.strip(), body.strip("\n"), meta["published"]))
    return rows
