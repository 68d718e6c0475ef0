from __future__ import annotations

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
