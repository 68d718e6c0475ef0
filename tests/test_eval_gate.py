"""The eval gate's rules: floors only go up, unless a flag and a commit line say why."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests import eval_gate

if TYPE_CHECKING:
    from pathlib import Path

LOWER_LINE = "eval-gate: lower"


def _baseline(path: Path, floors: dict[str, float]) -> dict[str, dict[str, dict[str, float]]]:
    data = {
        "gates": {name: {"floor": floor, "score": floor + 0.01} for name, floor in floors.items()}
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return data


def test_eval_gate_update_refuses_to_lower_a_floor_without_the_flag(tmp_path):
    path = tmp_path / "baseline.json"
    baseline = _baseline(path, {"quotes": 0.650})
    code = eval_gate.update(path, baseline, {"quotes": 0.600}, allow_lower=False)
    assert code == 1
    assert json.loads(path.read_text())["gates"]["quotes"]["floor"] == 0.650


def test_eval_gate_update_lowers_with_the_flag_and_raises_without(tmp_path):
    path = tmp_path / "baseline.json"
    baseline = _baseline(path, {"quotes": 0.650, "html": 0.950})
    assert eval_gate.update(path, baseline, {"quotes": 0.600}, allow_lower=True) == 0
    assert json.loads(path.read_text())["gates"]["quotes"]["floor"] == eval_gate.floor_of(0.600)
    baseline = json.loads(path.read_text())
    assert eval_gate.update(path, baseline, {"html": 0.970}, allow_lower=False) == 0
    gates = json.loads(path.read_text())["gates"]
    assert gates["html"]["floor"] == eval_gate.floor_of(0.970)
    assert gates["html"]["floor"] > 0.950


def test_eval_gate_floor_sits_just_under_the_score():
    assert eval_gate.floor_of(0.959) == pytest.approx(0.956)
    assert eval_gate.floor_of(0.808) < 0.808


def test_eval_gate_lowered_floors_finds_decreases_and_removals():
    old = {"a": {"floor": 0.9}, "b": {"floor": 0.5}, "c": {"floor": 0.7}}
    new = {"a": {"floor": 0.91}, "b": {"floor": 0.49}}
    assert eval_gate.lowered_floors(old, new) == ["b", "c"]


def test_eval_gate_history_never_lowers_a_floor_without_a_commit_line():
    """Every commit that lowered a floor in eval_baseline.json says why in its message."""
    history = eval_gate.git_history()
    assert history, "tests/eval_baseline.json is not committed"
    previous: dict[str, dict[str, float]] = {}
    for commit, message, gates in history:
        lowered = eval_gate.lowered_floors(previous, gates)
        if lowered:
            assert LOWER_LINE in message, (
                f"commit {commit[:10]} lowers {lowered} without a '{LOWER_LINE} ...' line"
            )
        previous = gates
    committed = history[-1][2]
    current = json.loads(eval_gate.BASELINE.read_text(encoding="utf-8"))["gates"]
    uncommitted = eval_gate.lowered_floors(committed, current)
    assert not uncommitted, f"eval_baseline.json lowers {uncommitted}: commit it with a reason"


def test_eval_gate_every_gate_has_a_pinned_floor():
    pinned = json.loads(eval_gate.BASELINE.read_text(encoding="utf-8"))["gates"]
    assert {gate.name for gate in eval_gate.GATES} == set(pinned)
    assert all(0 < entry["floor"] <= entry["score"] for entry in pinned.values())


def test_eval_gate_script_reports_a_floor_above_reach(tmp_path, monkeypatch):
    """A gate under its floor makes the script exit 1 and name the gate."""
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"gates": {"fake_gate": {"floor": 0.9, "score": 0.95}}}))
    monkeypatch.setattr(eval_gate, "BASELINE", path)
    data = tmp_path / "data"
    (data / "fake").mkdir(parents=True)
    monkeypatch.setattr(
        eval_gate, "GATES", (eval_gate.Gate("fake_gate", "fake", lambda _d, _t: 0.5),)
    )
    assert eval_gate.main(["--data", str(data)]) == 1
    monkeypatch.setattr(
        eval_gate, "GATES", (eval_gate.Gate("fake_gate", "fake", lambda _d, _t: 0.95),)
    )
    assert eval_gate.main(["--data", str(data)]) == 0


def test_eval_gate_missing_data_fails_under_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    code = subprocess.run(
        [sys.executable, str(eval_gate.ROOT / "tests" / "eval_gate.py"), "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert code.returncode == 1
    assert "MISSING DATA" in code.stdout
