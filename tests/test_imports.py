"""``import storyline`` and the CLI load no heavy library: `storyline --help` stays fast."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("spacy", "sklearn", "scipy", "trafilatura", "numpy", "httpx", "fastapi")


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return out.split()


def test_imports_storyline_loads_no_heavy_library():
    assert _loaded_after("import storyline") == []


def test_imports_cli_loads_no_heavy_library():
    assert _loaded_after("import storyline.cli.app") == []


def test_imports_the_api_is_still_reachable_from_the_package():
    assert _loaded_after("import storyline; storyline.Workspace") != []  # loads on first use
    assert "open" in __import__("storyline").__all__


def test_imports_loading_the_stage_registry_loads_no_heavy_library():
    # `storyline stages` lists the pipeline without importing any stage body
    loaded = _loaded_after("from storyline.registry import Pipeline; Pipeline.load().validate()")
    assert loaded == []


def test_imports_the_renderer_loads_no_store():
    # the CLI renderer and the store's read model share `storyline.flagged`, a light module
    code = "import sys, storyline.render; print(sorted(m for m in sys.modules if 'store' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert "storyline.store" not in out
