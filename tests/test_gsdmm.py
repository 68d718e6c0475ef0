"""Tests for the GSDMM-style refinement of short-text clusters."""

from __future__ import annotations

from storyline.cluster.gsdmm import refine_labels

DOCS = {
    "a": ["velmora", "strike", "ostravia"],
    "b": ["velmora", "strike", "union"],
    "c": ["velmora", "union", "strike", "chip"],
    "d": ["orchestra", "lindqvist", "concert"],
    "e": ["orchestra", "lindqvist", "tour"],
}


def test_gsdmm_joins_a_split_story_and_keeps_the_other_apart() -> None:
    """A story split over two clusters is joined; an unrelated one stays apart."""
    start = {"a": "x", "b": "x", "c": "y", "d": "z", "e": "w"}
    out = refine_labels(
        list(DOCS), DOCS, start, new_label=lambda a: f"new-{a}", allowed=lambda _a, _c: True
    )
    assert out["a"] == out["b"] == out["c"]
    assert out["d"] == out["e"]
    assert out["a"] != out["d"]


def test_gsdmm_respects_the_veto() -> None:
    """A move the caller forbids never happens."""
    start = {"a": "x", "b": "x", "c": "y", "d": "z", "e": "w"}
    out = refine_labels(
        list(DOCS), DOCS, start, new_label=lambda a: f"new-{a}", allowed=lambda _a, c: c != "x"
    )
    assert out["c"] != "x"
